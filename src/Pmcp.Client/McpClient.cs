using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Pmcp.Protocol;

namespace Pmcp.Client;

/// <summary>
/// An MCP client on a <see cref="WebSocketTransport"/> or a <see cref="StreamableHttpTransport"/> (which it owns and
/// disposes), speaking whichever protocol era the server does: it asks <c>server/discover</c> first (MCP 2026-07-28)
/// and falls back to the <c>initialize</c> handshake (2025-11-25 and earlier) when the server does not answer it.
/// <para>
/// Requests are matched to answers by id (increasing integers) through a table of pending requests. Each request
/// is bounded by <see cref="McpTransportConfig.RequestTimeout"/>: past it the request fails with
/// <see cref="McpTimeoutException"/> and the server is told (<c>notifications/cancelled</c>, or on 2026-era HTTP by
/// closing the request's stream); cancelling the caller's token does the same and throws <see cref="OperationCanceledException"/>.
/// </para>
/// <para>
/// When the connection drops, every request in flight fails at once with <see cref="McpConnectionLostException"/>
/// and <see cref="Disconnected"/> is raised. With <see cref="McpTransportConfig.AutoReconnect"/> the client then
/// reconnects with capped exponential backoff and jitter (<see cref="Reconnecting"/> before each attempt), re-runs
/// the handshake of its era with the same capabilities, and raises <see cref="Reconnected"/>; after
/// <see cref="McpTransportConfig.MaxReconnectAttempts"/> consecutive failed attempts it raises <see cref="GaveUp"/> and
/// is closed. Without AutoReconnect it is closed at once. What a drop is on each transport: README, "Reconnecting".
/// </para>
/// <para>
/// <b>A request made while the client is reconnecting waits for the reconnect</b>, then goes out on the new
/// connection. The wait counts against the request's own timeout (past it: <see cref="McpTimeoutException"/>, and
/// nothing was sent) and ends early with <see cref="McpConnectionLostException"/> if the client gives up or is closed meanwhile.
/// </para>
/// <para>
/// Handlers: <see cref="OnNotification"/> (and the typed ones) for notifications, per-call <see cref="IProgress{T}"/>
/// for progress, <see cref="SetSamplingHandler"/>, <see cref="SetElicitationHandler"/>, <see cref="SetRootsHandler"/>
/// (or, for any method, <see cref="SetRequestHandler"/>) for what the server asks of the client: its requests in the
/// 2025 era, the <c>inputRequests</c> of an <c>input_required</c> result (MRTR) in the 2026 era. Notification handlers
/// and progress reports run on the receive loop, in arrival order: keep them short. Request handlers run on the thread
/// pool. A server request with no handler is answered -32601; <c>ping</c> is answered by the client itself.
/// Exceptions from handlers and event handlers are logged, never rethrown.
/// </para>
/// </summary>
public sealed partial class McpClient : IAsyncDisposable
{
    private readonly McpClientTransport _transport;
    private readonly McpTransportConfig _config;
    private readonly McpClientOptions _options;
    private readonly ILogger _logger;
    private readonly ReconnectBackoff _backoff;
    private readonly ConcurrentDictionary<RequestId, PendingRequest> _pending = new();
    private readonly ConcurrentDictionary<RequestId, IProgress<ProgressParams>> _progress = new();
    private readonly ConcurrentDictionary<string, McpRequestHandler> _requestHandlers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Action<JObject?>[]> _notificationHandlers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(int Generation, RequestId Id), CancellationTokenSource> _serverRequests = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly object _gate = new();
    private McpClientState _state = McpClientState.Created;
    private TaskCompletionSource _stateChanged = NewSignal();
    private McpConnectionLostException? _closedReason;
    private ClientCapabilities? _capabilities;
    private InitializeResult? _initializeResult;
    private DiscoverResult? _discoverResult;
    private volatile bool _modern;
    private Task _reconnectLoop = Task.CompletedTask;
    private bool _disposed;
    private long _nextId;

    /// <summary>A client on <paramref name="transport"/>, connected or not (initialize connects it when it is not).</summary>
    public McpClient(McpClientTransport transport, McpClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(transport);
        _transport = transport;
        _config = transport.Config;
        _options = options ?? new McpClientOptions();
        _options.Validate();
        _logger = _options.Logger ?? NullLogger.Instance;
        _backoff = new ReconnectBackoff(_config);
    }

    /// <summary>A client on a new transport for <paramref name="config"/> (WebSocket or Streamable HTTP, by its type).</summary>
    public McpClient(McpTransportConfig config, McpClientOptions? options = null)
        : this(McpClientTransport.Create(config), options)
    {
    }

    /// <summary>Connects, runs the handshake and returns a ready client; on failure the client is disposed and the failure thrown.</summary>
    public static async Task<McpClient> ConnectAsync(McpTransportConfig config, ClientCapabilities capabilities,
        McpClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        var client = new McpClient(config, options);
        try
        {
            await client.InitializeAsync(capabilities, cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The connection was lost; every request in flight has already failed.</summary>
    public event EventHandler<McpDisconnectedEventArgs>? Disconnected;

    /// <summary>A reconnect attempt is about to wait its backoff delay.</summary>
    public event EventHandler<McpReconnectingEventArgs>? Reconnecting;

    /// <summary>Connected and through the handshake again.</summary>
    public event EventHandler<McpReconnectedEventArgs>? Reconnected;

    /// <summary>Reconnecting stopped for good; the client is closed.</summary>
    public event EventHandler<McpGaveUpEventArgs>? GaveUp;

    public McpClientTransport Transport => _transport;

    public McpClientState State
    {
        get
        {
            lock (_gate) return _state;
        }
    }

    /// <summary>
    /// The server as the latest handshake described it (renewed on each reconnect); null before the first. For a
    /// 2026-07-28 server, which has no initialize, it is built from <see cref="DiscoverResult"/>: the protocol version
    /// is 2026-07-28 and the server info is its <c>_meta</c> serverInfo (empty name and version when it gives none).
    /// </summary>
    public InitializeResult? InitializeResult => Volatile.Read(ref _initializeResult);

    /// <summary>The server's answer to <c>server/discover</c>; null for a server of the 2025 era.</summary>
    public DiscoverResult? DiscoverResult => Volatile.Read(ref _discoverResult);

    /// <summary>True when the client speaks MCP 2026-07-28 with the server (no session, per-request metadata).</summary>
    public bool IsModernProtocol => _modern;

    public Implementation? ServerInfo => InitializeResult?.ServerInfo;

    public ServerCapabilities? ServerCapabilities => InitializeResult?.Capabilities;

    /// <summary>The protocol revision spoken with the server.</summary>
    public string? ProtocolVersion => InitializeResult?.ProtocolVersion;

    /// <summary>Closes the client: requests in flight fail, reconnecting stops, the connection is closed (WebSocket 1000, HTTP session DELETE).</summary>
    public Task CloseAsync() => DisposeAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        var reason = new McpConnectionLostException("The client was closed.");
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _closedReason ??= reason;
            SetState(McpClientState.Closed);
        }

        // Stop reconnecting first, so that a failed handshake below is not taken for a failed attempt.
        await _closing.CancelAsync().ConfigureAwait(false);
        FailPending(int.MaxValue, reason);
        await _transport.DisposeAsync().ConfigureAwait(false);
        try
        {
            await _reconnectLoop.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
            // Stopped by the close, as it should.
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Changes state and wakes whoever waits for a change. Call under <see cref="_gate"/>.</summary>
    private void SetState(McpClientState state)
    {
        _state = state;
        _stateChanged.TrySetResult();
        _stateChanged = NewSignal();
    }

    private void Raise<T>(EventHandler<T>? handlers, T args, string name)
    {
        if (handlers is null) return;
        foreach (var handler in handlers.GetInvocationList().Cast<EventHandler<T>>())
        {
            try
            {
                handler(this, args);
            }
            catch (Exception ex)
            {
                LogHandlerFailed(_logger, name, ex);
            }
        }
    }

    private void Forget(Task task) => task.ContinueWith(
        static (t, state) => LogSendFailed((ILogger)state!, t.Exception!.GetBaseException().Message),
        _logger, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    private static T Parse<T>(JToken token, string method)
    {
        try
        {
            return McpJson.ToObject<T>(token);
        }
        catch (JsonException ex)
        {
            throw new McpException($"The server's '{method}' result is not valid: {ex.Message}", ex);
        }
    }

    /// <summary>Reads a server request's params; a shape that does not fit is the server's error (-32602).</summary>
    private static T ParseParams<T>(JObject? parameters, string method)
    {
        try
        {
            return McpJson.ToObject<T>(parameters ?? new JObject());
        }
        catch (JsonException ex)
        {
            throw new McpProtocolException(JsonRpcErrorCodes.InvalidParams, $"Invalid params for {method}: {ex.Message}");
        }
    }

    private sealed class PendingRequest(string method, int generation) : TaskCompletionSource<JToken>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public string Method { get; } = method;

        public int Generation { get; } = generation;
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        private Action? _dispose = dispose;

        public void Dispose() => Interlocked.Exchange(ref _dispose, null)?.Invoke();
    }
}
