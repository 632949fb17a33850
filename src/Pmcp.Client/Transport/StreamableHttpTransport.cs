using System.Net;

namespace Pmcp.Client;

/// <summary>
/// MCP over Streamable HTTP (<c>http://</c>, <c>https://</c>) on one <see cref="HttpClient"/>: each message is a POST
/// whose answer comes back as JSON or as an SSE stream. In the 2025 era a "connection" is a session: the server's
/// <c>Mcp-Session-Id</c> on every request, a GET stream for messages tied to no request, a DELETE when the client
/// closes; a session the server no longer knows (404), or a server that cannot be reached, counts as a dropped
/// connection. In the 2026 era there is no session and nothing to keep open between requests.
/// </summary>
public sealed class StreamableHttpTransport : McpClientTransport
{
    private readonly object _lock = new();
    private readonly StreamableHttpConfig _config;
    private readonly HttpClient _http;
    private HttpSessionConnection? _current;
    private int _generation;
    private bool _disposed;

    public StreamableHttpTransport(StreamableHttpConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        _config = config;
        var handler = new SocketsHttpHandler
        {
            // A connect that hangs counts against the request's own limit, as a WebSocket connect does.
            ConnectTimeout = config.RequestTimeout == Timeout.InfiniteTimeSpan ? Timeout.InfiniteTimeSpan : config.RequestTimeout,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        };
        // Timeouts are the client's (per request, and none on long-lived SSE streams), not HttpClient's.
        _http = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>A transport to <paramref name="url"/> with the default config.</summary>
    public static StreamableHttpTransport WithUrl(string url) => new(new StreamableHttpConfig(url));

    /// <summary>The HTTP settings (also as <see cref="McpClientTransport.Config"/>).</summary>
    public StreamableHttpConfig HttpConfig => _config;

    public override McpTransportConfig Config => _config;

    public override bool IsConnected => _current?.IsOpen == true;

    public override int ConnectionCount => Volatile.Read(ref _generation);

    /// <summary>The current 2025-era session's id, null when there is none (before initialize, stateless servers, the 2026 era).</summary>
    public string? SessionId => _current?.SessionId;

    internal override IClientConnection? CurrentConnection => _current;

    public override Task CloseAsync() => _current?.CloseAsync() ?? Task.CompletedTask;

    public override async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
        }
        await CloseAsync().ConfigureAwait(false);
        _http.Dispose();
    }

    /// <summary>
    /// Nothing to dial: HTTP connects per request (the first POST tells whether the server is there). A new
    /// "connection" is a fresh start without a session; the previous one ends.
    /// </summary>
    internal override Task<IClientConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        HttpSessionConnection? previous;
        HttpSessionConnection connection;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            previous = _current;
            connection = new HttpSessionConnection(_http, _config, ++_generation);
            _current = connection;
        }
        previous?.Abort("replaced by a new connection");
        return Task.FromResult<IClientConnection>(connection);
    }
}
