namespace Pmcp.Client;

/// <summary>
/// How a <see cref="WebSocketTransport"/> connects, keeps its connection alive and comes back after a drop.
/// The first seven members are the PMCP seed's <c>WebSocketConfig</c>, with the same meanings; every one of them is
/// honoured (see each member). The rest is what a production client needs besides.
/// </summary>
public sealed record WebSocketConfig
{
    /// <summary>The subprotocol MCP clients ask for (<c>Sec-WebSocket-Protocol: mcp</c>).</summary>
    public const string McpSubProtocol = "mcp";

    public WebSocketConfig()
    {
    }

    public WebSocketConfig(Uri url) => Url = url;

    public WebSocketConfig(string url) => Url = new Uri(url, UriKind.Absolute);

    /// <summary>The server's WebSocket endpoint, <c>ws://</c> or <c>wss://</c>. Default: the seed's <c>ws://localhost:8080/</c>.</summary>
    public Uri Url { get; init; } = new("ws://localhost:8080/");

    /// <summary>
    /// Reconnect after an established connection drops (then <see cref="McpClient"/> re-runs initialize), and retry a
    /// failed first connect in <see cref="WebSocketTransport.ConnectAsync"/>. Both follow the backoff below. Default true.
    /// </summary>
    public bool AutoReconnect { get; init; } = true;

    /// <summary>The wait before the first retry; it doubles after each failed attempt, up to <see cref="MaxReconnectDelay"/>. Default 1 s.</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The cap on the doubling (jitter included: no wait is ever longer). Default 30 s.</summary>
    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How many consecutive failed attempts to allow before giving up; null retries forever. After a drop, these are
    /// the reconnect attempts (an attempt fails when the socket cannot be opened or initialize does not succeed on it;
    /// 0: give up at once). For the first connect (<see cref="WebSocketTransport.ConnectAsync"/>) the first attempt
    /// counts too, as in the seed. Default null.
    /// </summary>
    public int? MaxReconnectAttempts { get; init; }

    /// <summary>
    /// How often a WebSocket ping frame is sent; null turns keepalive off. A ping with no pong within
    /// <see cref="PingTimeout"/> aborts the socket, which then counts as a dropped connection. Default 30 s.
    /// </summary>
    public TimeSpan? PingInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long every request (and each connect attempt) may take; past it the request fails with
    /// <see cref="McpTimeoutException"/> and the server is sent <c>notifications/cancelled</c>.
    /// <see cref="Timeout.InfiniteTimeSpan"/> turns the limit off. Default 30 s.
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a ping may go unanswered before the connection is treated as dropped. Default 30 s.</summary>
    public TimeSpan PingTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Extra HTTP headers for the upgrade request, e.g. <c>Authorization: Bearer …</c>.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>The subprotocol to offer; null offers none. Default <c>mcp</c>, which the server echoes.</summary>
    public string? SubProtocol { get; init; } = McpSubProtocol;

    /// <summary>
    /// The largest inbound message in bytes, after reassembly of fragments. A larger one closes the socket with 1009
    /// and counts as a dropped connection. Default 16 MiB.
    /// </summary>
    public int MaxMessageBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>The spread of each backoff wait: 0.2 picks it uniformly within ±20 % of the doubled delay. 0 to 1 (exclusive). Default 0.2.</summary>
    public double ReconnectJitter { get; init; } = 0.2;

    /// <summary>How long <see cref="WebSocketTransport.CloseAsync"/> waits for the server's close frame before it aborts the socket. Default 5 s.</summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The clock for backoff waits and request timeouts. Tests pass a fake one. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first member that is out of range.</summary>
    public void Validate()
    {
        if (!Url.IsAbsoluteUri || (Url.Scheme != "ws" && Url.Scheme != "wss"))
            throw new ArgumentException($"Url must be an absolute ws:// or wss:// URL, not '{Url}'.", nameof(Url));
        if (ReconnectDelay <= TimeSpan.Zero)
            throw new ArgumentException("ReconnectDelay must be positive.", nameof(ReconnectDelay));
        if (MaxReconnectDelay < ReconnectDelay)
            throw new ArgumentException("MaxReconnectDelay must not be shorter than ReconnectDelay.", nameof(MaxReconnectDelay));
        if (MaxReconnectAttempts is < 0)
            throw new ArgumentException("MaxReconnectAttempts must be null (unlimited) or at least 0.", nameof(MaxReconnectAttempts));
        if (PingInterval is { } ping && ping <= TimeSpan.Zero)
            throw new ArgumentException("PingInterval must be positive, or null to turn keepalive off.", nameof(PingInterval));
        if (PingTimeout <= TimeSpan.Zero)
            throw new ArgumentException("PingTimeout must be positive.", nameof(PingTimeout));
        if (RequestTimeout <= TimeSpan.Zero && RequestTimeout != Timeout.InfiniteTimeSpan)
            throw new ArgumentException("RequestTimeout must be positive, or Timeout.InfiniteTimeSpan for none.", nameof(RequestTimeout));
        if (MaxMessageBytes <= 0)
            throw new ArgumentException("MaxMessageBytes must be positive.", nameof(MaxMessageBytes));
        if (ReconnectJitter is < 0 or >= 1 || double.IsNaN(ReconnectJitter))
            throw new ArgumentException("ReconnectJitter must be at least 0 and less than 1.", nameof(ReconnectJitter));
        if (CloseTimeout <= TimeSpan.Zero)
            throw new ArgumentException("CloseTimeout must be positive.", nameof(CloseTimeout));
        if (SubProtocol is { Length: 0 })
            throw new ArgumentException("SubProtocol must be null or a non-empty token.", nameof(SubProtocol));
        ArgumentNullException.ThrowIfNull(Headers, nameof(Headers));
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
        foreach (var name in Headers.Keys)
        {
            if (string.IsNullOrWhiteSpace(name))
                throw new ArgumentException("Header names must not be empty.", nameof(Headers));
        }
    }
}
