namespace Pmcp.Client;

/// <summary>
/// What every MCP client transport shares: where the server is, how long a request may take, and how a client comes
/// back after losing its connection. <see cref="WebSocketConfig"/> (<c>ws://</c>, <c>wss://</c>) and
/// <see cref="StreamableHttpConfig"/> (<c>http://</c>, <c>https://</c>) add what is their own; <see cref="ForUrl(Uri)"/>
/// picks one by the URL's scheme. What "connection" and "reconnect" mean on each transport and protocol era: README,
/// "Reconnecting".
/// </summary>
public abstract record McpTransportConfig
{
    protected McpTransportConfig(Uri url) => Url = url;

    /// <summary>The server's MCP endpoint.</summary>
    public Uri Url { get; init; }

    /// <summary>
    /// Reconnect after an established connection drops (then <see cref="McpClient"/> re-runs its handshake), and retry a
    /// failed first connect. Both follow the backoff below. Default true.
    /// </summary>
    public bool AutoReconnect { get; init; } = true;

    /// <summary>The wait before the first retry; it doubles after each failed attempt, up to <see cref="MaxReconnectDelay"/>. Default 1 s.</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The cap on the doubling (jitter included: no wait is ever longer). Default 30 s.</summary>
    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How many consecutive failed attempts to allow before giving up; null retries forever. After a drop, these are
    /// the reconnect attempts (an attempt fails when the connection cannot be opened or the handshake does not succeed
    /// on it; 0: give up at once). For the first connect the first attempt counts too, as in the seed. Default null.
    /// </summary>
    public int? MaxReconnectAttempts { get; init; }

    /// <summary>
    /// How long every request (and each connect attempt) may take; past it the request fails with
    /// <see cref="McpTimeoutException"/> and the server is told the request is cancelled.
    /// <see cref="Timeout.InfiniteTimeSpan"/> turns the limit off. Default 30 s.
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Extra HTTP headers for every HTTP request the transport makes (the upgrade, or each POST/GET/DELETE), e.g. <c>Authorization: Bearer …</c>.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>The largest inbound message in bytes. A larger one ends the connection (WebSocket: close 1009). Default 16 MiB.</summary>
    public int MaxMessageBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>The spread of each backoff wait: 0.2 picks it uniformly within ±20 % of the doubled delay. 0 to 1 (exclusive). Default 0.2.</summary>
    public double ReconnectJitter { get; init; } = 0.2;

    /// <summary>How long closing waits for the server (WebSocket: its close frame; HTTP: the session's DELETE). Default 5 s.</summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The clock for backoff waits and request timeouts. Tests pass a fake one. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// The config for <paramref name="url"/> by its scheme: <see cref="WebSocketConfig"/> for <c>ws</c>/<c>wss</c>,
    /// <see cref="StreamableHttpConfig"/> for <c>http</c>/<c>https</c>.
    /// </summary>
    /// <exception cref="ArgumentException">Another scheme, or not an absolute URL.</exception>
    public static McpTransportConfig ForUrl(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (url.IsAbsoluteUri && url.Scheme is "ws" or "wss") return new WebSocketConfig(url);
        if (url.IsAbsoluteUri && url.Scheme is "http" or "https") return new StreamableHttpConfig(url);
        throw new ArgumentException($"An MCP server URL must be an absolute ws://, wss://, http:// or https:// URL, not '{url}'.", nameof(url));
    }

    /// <inheritdoc cref="ForUrl(Uri)"/>
    public static McpTransportConfig ForUrl(string url) => ForUrl(new Uri(url, UriKind.Absolute));

    /// <summary>Throws <see cref="ArgumentException"/> naming the first member that is out of range.</summary>
    public virtual void Validate()
    {
        if (ReconnectDelay <= TimeSpan.Zero)
            throw new ArgumentException("ReconnectDelay must be positive.", nameof(ReconnectDelay));
        if (MaxReconnectDelay < ReconnectDelay)
            throw new ArgumentException("MaxReconnectDelay must not be shorter than ReconnectDelay.", nameof(MaxReconnectDelay));
        if (MaxReconnectAttempts is < 0)
            throw new ArgumentException("MaxReconnectAttempts must be null (unlimited) or at least 0.", nameof(MaxReconnectAttempts));
        if (RequestTimeout <= TimeSpan.Zero && RequestTimeout != Timeout.InfiniteTimeSpan)
            throw new ArgumentException("RequestTimeout must be positive, or Timeout.InfiniteTimeSpan for none.", nameof(RequestTimeout));
        if (MaxMessageBytes <= 0)
            throw new ArgumentException("MaxMessageBytes must be positive.", nameof(MaxMessageBytes));
        if (ReconnectJitter is < 0 or >= 1 || double.IsNaN(ReconnectJitter))
            throw new ArgumentException("ReconnectJitter must be at least 0 and less than 1.", nameof(ReconnectJitter));
        if (CloseTimeout <= TimeSpan.Zero)
            throw new ArgumentException("CloseTimeout must be positive.", nameof(CloseTimeout));
        ArgumentNullException.ThrowIfNull(Headers, nameof(Headers));
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
        foreach (var name in Headers.Keys)
        {
            if (string.IsNullOrWhiteSpace(name))
                throw new ArgumentException("Header names must not be empty.", nameof(Headers));
        }
    }
}
