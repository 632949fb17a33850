namespace Pmcp.Client;

/// <summary>
/// How an <see cref="McpClient"/> reaches its server: <see cref="WebSocketTransport"/>,
/// <see cref="StreamableHttpTransport"/>, or <see cref="InMemoryTransport"/> for a server in the same process. <see cref="Create"/> picks one by the config's type (see
/// <see cref="McpTransportConfig.ForUrl(Uri)"/> to pick by URL scheme). The client owns the transport it is given.
/// </summary>
public abstract class McpClientTransport : IAsyncDisposable
{
    private protected McpClientTransport()
    {
    }

    /// <summary>Where the server is, timeouts and reconnect settings.</summary>
    public abstract McpTransportConfig Config { get; }

    /// <summary>True while a connection is open.</summary>
    public abstract bool IsConnected { get; }

    /// <summary>How many connections (sockets, HTTP sessions) this transport has opened so far.</summary>
    public abstract int ConnectionCount { get; }

    /// <summary>The transport <paramref name="config"/> describes.</summary>
    public static McpClientTransport Create(McpTransportConfig config) => config switch
    {
        WebSocketConfig ws => new WebSocketTransport(ws),
        StreamableHttpConfig http => new StreamableHttpTransport(http),
        InMemoryConfig memory => new InMemoryTransport(memory),
        null => throw new ArgumentNullException(nameof(config)),
        _ => throw new ArgumentException($"No transport for {config.GetType().Name}.", nameof(config)),
    };

    /// <summary>
    /// Opens a connection, retrying a failed attempt with the configured backoff when
    /// <see cref="McpTransportConfig.AutoReconnect"/> is on, until <see cref="McpTransportConfig.MaxReconnectAttempts"/>
    /// consecutive attempts have failed (the first included). A refusal that retrying cannot fix (a 4xx status) is not retried.
    /// </summary>
    /// <exception cref="McpConnectException">The last attempt's failure.</exception>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        var backoff = new ReconnectBackoff(Config);
        var failures = 0;
        while (true)
        {
            try
            {
                await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (McpConnectException ex) when (Config.AutoReconnect && ex.IsRetryable && !backoff.Exhausted(++failures))
            {
                await Task.Delay(backoff.DelayBefore(failures), Config.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Closes the current connection politely (WebSocket close 1000; HTTP session DELETE).</summary>
    public abstract Task CloseAsync();

    public abstract ValueTask DisposeAsync();

    /// <summary>The current connection, null before the first.</summary>
    internal abstract IClientConnection? CurrentConnection { get; }

    /// <summary>One connect attempt, bounded by RequestTimeout; the new connection becomes the current one and starts receiving.</summary>
    internal abstract Task<IClientConnection> OpenConnectionAsync(CancellationToken cancellationToken);
}
