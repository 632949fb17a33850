using System.Reflection;
using Microsoft.Extensions.Logging;
using Pmcp.Protocol;

namespace Pmcp.Client;

/// <summary>What an <see cref="McpClient"/> says about itself, which protocol it speaks, and where it logs.</summary>
public sealed record McpClientOptions
{
    /// <summary>The <c>clientInfo</c> sent in initialize (and in every 2026-era request's <c>_meta</c>). Default: <c>pmcp-dotnet</c> with this library's version.</summary>
    public Implementation ClientInfo { get; init; } = DefaultClientInfo;

    /// <summary>
    /// The protocol revision to speak. Null (the default): ask <c>server/discover</c> for 2026-07-28 first and fall
    /// back to initialize with the newest 2025-era revision both sides speak when the server does not answer it
    /// (<see cref="DiscoverProbeTimeout"/>). <see cref="ModernProtocol.Version"/>: 2026-07-28 only (a 2025-era server
    /// fails the handshake). A revision of <see cref="McpProtocolVersions.Supported"/>: initialize only, asking for it;
    /// the server may answer with another of those, others fail the handshake.
    /// </summary>
    public string? ProtocolVersion { get; init; }

    /// <summary>
    /// How long the <c>server/discover</c> probe waits on a WebSocket before taking silence for a 2025-era server (one
    /// that drops unknown methods) and falling back to initialize; never longer than the request timeout. Over HTTP,
    /// where every POST is answered with a status, the probe waits the request timeout like any request. Default 5 s.
    /// </summary>
    public TimeSpan DiscoverProbeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How many times one request may be answered <c>input_required</c> (MRTR, 2026 era) and retried with the
    /// answers before it fails: a server that keeps asking would otherwise loop forever. Default 10.
    /// </summary>
    public int MaxInputRounds { get; init; } = 10;

    /// <summary>Where the client logs connection changes and handler failures. Default: nowhere.</summary>
    public ILogger? Logger { get; init; }

    internal static Implementation DefaultClientInfo { get; } = new("pmcp-dotnet", LibraryVersion);

    internal static string LibraryVersion =>
        typeof(McpClientOptions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(McpClientOptions).Assembly.GetName().Version?.ToString(3)
        ?? "0.0.0";

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(ClientInfo, nameof(ClientInfo));
        if (ProtocolVersion is { } version && version != ModernProtocol.Version && !McpProtocolVersions.IsSupported(version))
        {
            throw new ArgumentException($"ProtocolVersion must be null, {ModernProtocol.Version} or one of "
                + $"{string.Join(", ", McpProtocolVersions.Supported)}; not '{version}'.", nameof(ProtocolVersion));
        }
        if (DiscoverProbeTimeout <= TimeSpan.Zero && DiscoverProbeTimeout != Timeout.InfiniteTimeSpan)
            throw new ArgumentException("DiscoverProbeTimeout must be positive, or Timeout.InfiniteTimeSpan.", nameof(DiscoverProbeTimeout));
        if (MaxInputRounds < 1)
            throw new ArgumentException("MaxInputRounds must be at least 1.", nameof(MaxInputRounds));
    }
}
