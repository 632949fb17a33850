namespace Pmcp.Client;

/// <summary>
/// How a <see cref="WebSocketTransport"/> connects, keeps its connection alive and comes back after a drop.
/// The PMCP seed's <c>WebSocketConfig</c> members (Url, AutoReconnect, ReconnectDelay, MaxReconnectDelay,
/// MaxReconnectAttempts, PingInterval, RequestTimeout) keep the seed's meanings; every one is honoured. What all
/// transports share lives in <see cref="McpTransportConfig"/>.
/// </summary>
public sealed record WebSocketConfig : McpTransportConfig
{
    /// <summary>The subprotocol MCP clients ask for (<c>Sec-WebSocket-Protocol: mcp</c>).</summary>
    public const string McpSubProtocol = "mcp";

    /// <summary>The seed's default endpoint, <c>ws://localhost:8080/</c>.</summary>
    public WebSocketConfig()
        : base(new Uri("ws://localhost:8080/"))
    {
    }

    /// <summary>The server's WebSocket endpoint, <c>ws://</c> or <c>wss://</c>.</summary>
    public WebSocketConfig(Uri url)
        : base(url)
    {
    }

    public WebSocketConfig(string url)
        : base(new Uri(url, UriKind.Absolute))
    {
    }

    /// <summary>
    /// How often a WebSocket ping frame is sent; null turns keepalive off. A ping with no pong within
    /// <see cref="PingTimeout"/> aborts the socket, which then counts as a dropped connection. Default 30 s.
    /// </summary>
    public TimeSpan? PingInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a ping may go unanswered before the connection is treated as dropped. Default 30 s.</summary>
    public TimeSpan PingTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The subprotocol to offer; null offers none. Default <c>mcp</c>, which the server echoes.</summary>
    public string? SubProtocol { get; init; } = McpSubProtocol;

    public override void Validate()
    {
        if (!Url.IsAbsoluteUri || (Url.Scheme != "ws" && Url.Scheme != "wss"))
            throw new ArgumentException($"Url must be an absolute ws:// or wss:// URL, not '{Url}'.", nameof(Url));
        base.Validate();
        if (PingInterval is { } ping && ping <= TimeSpan.Zero)
            throw new ArgumentException("PingInterval must be positive, or null to turn keepalive off.", nameof(PingInterval));
        if (PingTimeout <= TimeSpan.Zero)
            throw new ArgumentException("PingTimeout must be positive.", nameof(PingTimeout));
        if (SubProtocol is { Length: 0 })
            throw new ArgumentException("SubProtocol must be null or a non-empty token.", nameof(SubProtocol));
    }
}
