using System.Threading.Channels;
using Akka.Actor;
using Pmcp.Actors.Runtime;
using Pmcp.Actors.Transport;
using Pmcp.Actors.Session;

namespace Pmcp.Actors.Hosting;

/// <summary>
/// A session with a server in the same process, without a socket: the client writes JSON-RPC messages (one JSON text
/// each) to <see cref="ToServer"/> and reads the server's from <see cref="FromServer"/>. It is a session like any
/// other (the same ConnectionActor, rules, limits, the connection gate and telemetry, with <c>network.protocol.name</c>
/// <c>memory</c>); what a WebSocket says with a close code ends <see cref="FromServer"/> with a
/// <see cref="ChannelClosedException"/> whose message gives the reason. Completing <see cref="ToServer"/> (or
/// disposing this) is the client's close. Pmcp.Client's <c>InMemoryTransport</c> speaks to one; the TestKit uses it for
/// tests without sockets.
/// </summary>
public sealed class McpInMemorySession : IAsyncDisposable
{
    private static readonly TimeSpan OpenTimeout = TimeSpan.FromSeconds(10);

    private readonly InMemoryConnection _connection;

    private McpInMemorySession(InMemoryConnection connection) => _connection = connection;

    /// <summary>Messages to the server. Writes wait while the server is not reading (it has many calls in flight); they fail once the session has ended.</summary>
    public ChannelWriter<string> ToServer => _connection.Inbound.Writer;

    /// <summary>Messages from the server, in order; ends when the session does.</summary>
    public ChannelReader<string> FromServer => _connection.Outbound.Reader;

    /// <summary>Whom in-memory sessions are counted for at the gate (<see cref="McpServerOptions.MaxConnectionsPerClient"/>).</summary>
    private const string InProcessClient = "in-process";

    /// <summary>Completes with the reason once the session has ended (either side).</summary>
    public Task<string> Ended => _connection.Ended;

    /// <summary>
    /// Opens a session on <paramref name="runtime"/>'s server, whose actors must have been started. It takes a place at
    /// the connection gate as a socket would.
    /// </summary>
    /// <exception cref="InvalidOperationException">The server is at <see cref="McpServerOptions.MaxConnections"/> or shutting down.</exception>
    public static async Task<McpInMemorySession> OpenAsync(McpServerRuntime runtime, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        // Counted at MaxConnections like any session, but no session start against MaxUpgradesPerWindow: that limit is
        // for remote clients, and the host's own tests may open sessions as fast as they like.
        var admission = runtime.Gate.TryEnter(InProcessClient, startsSession: false);
        if (admission.Place is not { } place) throw new InvalidOperationException(admission.Text);
        var connection = new InMemoryConnection(runtime.Options, place, runtime.Metrics);
        try
        {
            var server = await runtime.ServerActorAsync(cancellationToken).ConfigureAwait(false);
            var opened = await server.Ask<McpServerProtocol.ConnectionOpened>(
                new McpServerProtocol.OpenConnection(connection, "in-process"), OpenTimeout, cancellationToken).ConfigureAwait(false);
            connection.Start(opened.Connection);
            return new McpInMemorySession(connection);
        }
        catch
        {
            // No actor holds the place: ending the connection gives it back.
            connection.Close(new CloseReason(CloseKind.InternalError, "the session could not be opened"));
            throw;
        }
    }

    /// <summary>Closes the session from the client's side and waits until the server has seen it end.</summary>
    public async ValueTask DisposeAsync()
    {
        ToServer.TryComplete();
        await Ended.ConfigureAwait(false);
    }
}
