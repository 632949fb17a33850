using System.Globalization;
using System.Net;
using System.Net.WebSockets;

namespace Pmcp.Client;

/// <summary>
/// MCP over one WebSocket at a time, to the server <see cref="McpTransportConfig.Url"/> names: one UTF-8 JSON-RPC
/// message per text frame, sends serialised (one writer), one receive loop. Unlike the seed's transport, every
/// config member is honoured: <see cref="SendAsync"/> really writes, keepalive pings detect a dead server, and a
/// failed connect is retried with backoff. Reconnecting after a drop (and re-initializing) is done by
/// <see cref="McpClient"/>, which owns the transport it is given.
/// </summary>
public sealed class WebSocketTransport : McpClientTransport
{
    private readonly object _lock = new();
    private ClientConnection? _current;
    private WebSocketChannel? _channel;
    private int _generation;
    private bool _disposed;

    public WebSocketTransport(WebSocketConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        _config = config;
    }

    private readonly WebSocketConfig _config;

    /// <summary>A transport to <paramref name="url"/> with the default config.</summary>
    public static WebSocketTransport WithUrl(string url) => new(new WebSocketConfig(url));

    /// <summary>The WebSocket settings (also as <see cref="McpClientTransport.Config"/>).</summary>
    public WebSocketConfig WebSocketConfig => _config;

    public override McpTransportConfig Config => _config;

    /// <summary>True while a socket is open.</summary>
    public override bool IsConnected => _current?.IsOpen == true;

    /// <summary>The subprotocol the server agreed to on the current socket; null when none (or not connected).</summary>
    public string? SubProtocol => _current?.SubProtocol;

    /// <summary>How many sockets this transport has opened so far.</summary>
    public override int ConnectionCount => Volatile.Read(ref _generation);

    internal ClientConnection? Current => _current;

    internal override IClientConnection? CurrentConnection => _channel;

    /// <summary>Writes one JSON-RPC message as a text frame. Concurrent calls are serialised.</summary>
    /// <exception cref="McpConnectionLostException">No socket is open, or it failed during the write.</exception>
    public Task SendAsync(string message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var connection = _current ?? throw new McpConnectionLostException($"Not connected to {Config.Url}.");
        return connection.SendAsync(message, cancellationToken);
    }

    /// <summary>
    /// The next message from the server. Only one receiver may call this at a time; an <see cref="McpClient"/> on this
    /// transport is that receiver, so do not call it when one is in use.
    /// </summary>
    /// <exception cref="McpConnectionLostException">The socket has ended (after every earlier message was returned).</exception>
    public ValueTask<string> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        var connection = _current ?? throw new McpConnectionLostException($"Not connected to {Config.Url}.");
        return connection.ReceiveAsync(cancellationToken);
    }

    /// <summary>Closes the socket with 1000, waiting up to <see cref="McpTransportConfig.CloseTimeout"/> for the server's answer.</summary>
    public override Task CloseAsync()
    {
        var connection = _current;
        return connection is null ? Task.CompletedTask : connection.CloseAsync(WebSocketCloseStatus.NormalClosure, "client closing");
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

    /// <summary>One connect attempt, bounded by RequestTimeout; the new socket becomes the current one and starts receiving.</summary>
    internal override async Task<IClientConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await OpenChannelAsync(cancellationToken).ConfigureAwait(false);

    internal async Task<ClientConnection> OpenAsync(CancellationToken cancellationToken) =>
        (await OpenChannelAsync(cancellationToken).ConfigureAwait(false)).Socket;

    private async Task<WebSocketChannel> OpenChannelAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var socket = new ClientWebSocket();
        var options = socket.Options;
        if (_config.SubProtocol is { } subProtocol) options.AddSubProtocol(subProtocol);
        foreach (var (name, value) in Config.Headers) options.SetRequestHeader(name, value);
        if (_config.PingInterval is { } interval)
        {
            // The framework's keepalive: a ping frame every interval; no pong within the timeout aborts the socket.
            options.KeepAliveInterval = interval;
            options.KeepAliveTimeout = _config.PingTimeout;
        }
        else
        {
            options.KeepAliveInterval = TimeSpan.Zero;
        }
        options.CollectHttpResponseDetails = true;

        using var timeout = new CancellationTokenSource(Config.RequestTimeout, Config.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await socket.ConnectAsync(Config.Url, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new McpConnectException(Config.Url, $"Could not connect to {Config.Url}: no answer within {Format(Config.RequestTimeout)}.", null);
        }
        catch (Exception ex) when (ex is WebSocketException or HttpRequestException)
        {
            var status = socket.HttpStatusCode is var code && code != 0 && code != HttpStatusCode.SwitchingProtocols ? code : (HttpStatusCode?)null;
            socket.Dispose();
            var why = status is { } s ? $"the server answered the upgrade with HTTP {(int)s} {s}" : Innermost(ex).Message.TrimEnd('.');
            throw new McpConnectException(Config.Url, $"Could not connect to {Config.Url}: {why}.", ex, status);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        ClientConnection connection;
        ClientConnection? previous;
        WebSocketChannel channel;
        lock (_lock)
        {
            if (_disposed)
            {
                socket.Abort();
                socket.Dispose();
                throw new ObjectDisposedException(nameof(WebSocketTransport));
            }
            previous = _current;
            connection = new ClientConnection(socket, _config, ++_generation);
            _current = connection;
            _channel = channel = new WebSocketChannel(connection);
        }
        previous?.Abort("replaced by a new connection");
        connection.Start();
        return channel;
    }

    internal static string Format(TimeSpan t) =>
        t == Timeout.InfiniteTimeSpan ? "no limit"
        : t.TotalSeconds >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0.###} s")
        : string.Create(CultureInfo.InvariantCulture, $"{t.TotalMilliseconds:0.###} ms");

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null) ex = ex.InnerException;
        return ex;
    }
}
