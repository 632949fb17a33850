using System.Threading.Channels;

namespace Pmcp.Client;

/// <summary>
/// The two directions of a session with a server in the same process: JSON-RPC messages (one JSON text each) the
/// client writes to <see cref="ToServer"/> and reads from <see cref="FromServer"/>. The server ends the session by
/// completing <see cref="FromServer"/> (with an exception whose message says why); the client ends it by completing
/// <see cref="ToServer"/>. Pmcp.Actors' <c>McpInMemorySession</c> gives out exactly these two.
/// </summary>
public sealed record InMemoryChannels(ChannelWriter<string> ToServer, ChannelReader<string> FromServer);

/// <summary>
/// How an <see cref="InMemoryTransport"/> reaches a server in the same process: <see cref="Connect"/> opens a new
/// session each time it is called (the first connect, and each reconnect). <see cref="McpTransportConfig.Url"/> only
/// names the server in messages and logs (default <c>memory://server/</c>); <c>Headers</c> mean nothing without HTTP.
/// </summary>
public sealed record InMemoryConfig : McpTransportConfig
{
    public InMemoryConfig(Func<CancellationToken, Task<InMemoryChannels>> connect)
        : base(new Uri("memory://server/"))
    {
        Connect = connect;
    }

    /// <summary>Opens a session; what it throws fails the connect attempt (and is retried when <see cref="McpTransportConfig.AutoReconnect"/> is on).</summary>
    public Func<CancellationToken, Task<InMemoryChannels>> Connect { get; init; }

    public override void Validate()
    {
        ArgumentNullException.ThrowIfNull(Connect, nameof(Connect));
        base.Validate();
    }
}
