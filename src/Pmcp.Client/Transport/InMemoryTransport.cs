namespace Pmcp.Client;

/// <summary>
/// MCP with a server in the same process (<see cref="InMemoryConfig"/>): messages travel as strings through two
/// channels, with no socket and no serialisation beyond the JSON text itself. Behaves like a WebSocket: one stream
/// for everything, <c>notifications/cancelled</c> for a request the client stops waiting for, and a dropped session
/// (the server closed it) that the client reconnects after when <see cref="McpTransportConfig.AutoReconnect"/> is on.
/// </summary>
public sealed class InMemoryTransport : McpClientTransport
{
    private readonly object _lock = new();
    private readonly InMemoryConfig _config;
    private InMemoryClientConnection? _current;
    private int _generation;
    private bool _disposed;

    public InMemoryTransport(InMemoryConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        _config = config;
    }

    public override McpTransportConfig Config => _config;

    public override bool IsConnected => _current?.IsOpen == true;

    public override int ConnectionCount => Volatile.Read(ref _generation);

    internal override IClientConnection? CurrentConnection => _current;

    /// <summary>Ends the session from the client's side (the server sees its inbound channel complete).</summary>
    public override Task CloseAsync()
    {
        _current?.Abort("the client closed the connection");
        return Task.CompletedTask;
    }

    public override async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
        }
        await CloseAsync().ConfigureAwait(false);
    }

    /// <summary>One call of <see cref="InMemoryConfig.Connect"/>, bounded by RequestTimeout; the new session becomes the current one.</summary>
    internal override async Task<IClientConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var timeout = new CancellationTokenSource(_config.RequestTimeout, _config.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        InMemoryChannels channels;
        try
        {
            channels = await _config.Connect(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new McpConnectException(_config.Url, $"Could not connect to {_config.Url}: no session within {WebSocketTransport.Format(_config.RequestTimeout)}.", null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new McpConnectException(_config.Url, $"Could not connect to {_config.Url}: {ex.Message.TrimEnd('.')}.", ex);
        }

        InMemoryClientConnection? previous;
        InMemoryClientConnection connection;
        lock (_lock)
        {
            if (_disposed)
            {
                channels.ToServer.TryComplete();
                throw new ObjectDisposedException(nameof(InMemoryTransport));
            }
            previous = _current;
            connection = new InMemoryClientConnection(channels, _config, ++_generation);
            _current = connection;
        }
        previous?.Abort("replaced by a new connection");
        return connection;
    }
}
