using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Pmcp.Protocol;

namespace Pmcp.Client;

/// <summary>
/// An MCP client on a <see cref="WebSocketTransport"/> (which it owns and disposes).
/// <para>
/// Requests are matched to answers by id (increasing integers) through a table of pending requests. Each request
/// is bounded by <see cref="WebSocketConfig.RequestTimeout"/>: past it the request fails with
/// <see cref="McpTimeoutException"/> and the server is sent <c>notifications/cancelled</c>; cancelling the caller's
/// token does the same and throws <see cref="OperationCanceledException"/>.
/// </para>
/// <para>
/// When the connection drops, every request in flight fails at once with <see cref="McpConnectionLostException"/>
/// and <see cref="Disconnected"/> is raised. With <see cref="WebSocketConfig.AutoReconnect"/> the client then
/// reconnects with capped exponential backoff and jitter (<see cref="Reconnecting"/> before each attempt), re-runs
/// initialize with the same capabilities, and raises <see cref="Reconnected"/>; after
/// <see cref="WebSocketConfig.MaxReconnectAttempts"/> consecutive failed attempts it raises <see cref="GaveUp"/> and
/// is closed. Without AutoReconnect it is closed at once.
/// </para>
/// <para>
/// <b>A request made while the client is reconnecting waits for the reconnect</b>, then goes out on the new
/// connection. The wait counts against the request's own <see cref="WebSocketConfig.RequestTimeout"/> (past it:
/// <see cref="McpTimeoutException"/>, and nothing was sent) and ends early with
/// <see cref="McpConnectionLostException"/> if the client gives up or is closed meanwhile.
/// </para>
/// <para>
/// Handlers: <see cref="OnNotification"/> (and <see cref="OnLogMessage"/>, <see cref="OnToolListChanged"/>) for
/// notifications, per-call <see cref="IProgress{T}"/> for progress, <see cref="SetSamplingHandler"/>,
/// <see cref="SetElicitationHandler"/>, <see cref="SetRootsHandler"/> (or, for any method, <see cref="SetRequestHandler"/>)
/// for requests the server sends. Notification handlers and progress reports run on the receive loop, in arrival order: keep them
/// short. Request handlers run on the thread pool. A request with no handler is answered -32601; <c>ping</c> is
/// answered by the client itself. Exceptions from handlers and event handlers are logged, never rethrown.
/// </para>
/// </summary>
public sealed partial class McpClient : IAsyncDisposable
{
    private readonly WebSocketTransport _transport;
    private readonly WebSocketConfig _config;
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
    private Task _reconnectLoop = Task.CompletedTask;
    private bool _disposed;
    private long _nextId;

    /// <summary>A client on <paramref name="transport"/>, connected or not (initialize connects it when it is not).</summary>
    public McpClient(WebSocketTransport transport, McpClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(transport);
        _transport = transport;
        _config = transport.Config;
        _options = options ?? new McpClientOptions();
        _logger = _options.Logger ?? NullLogger.Instance;
        _backoff = new ReconnectBackoff(_config);
    }

    /// <summary>A client on a new transport with <paramref name="config"/>.</summary>
    public McpClient(WebSocketConfig config, McpClientOptions? options = null)
        : this(new WebSocketTransport(config), options)
    {
    }

    /// <summary>Connects, initializes and returns a ready client; on failure the client is disposed and the failure thrown.</summary>
    public static async Task<McpClient> ConnectAsync(WebSocketConfig config, ClientCapabilities capabilities,
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

    /// <summary>Connected and initialized again.</summary>
    public event EventHandler<McpReconnectedEventArgs>? Reconnected;

    /// <summary>Reconnecting stopped for good; the client is closed.</summary>
    public event EventHandler<McpGaveUpEventArgs>? GaveUp;

    public WebSocketTransport Transport => _transport;

    public McpClientState State
    {
        get
        {
            lock (_gate) return _state;
        }
    }

    /// <summary>The server's answer to the latest initialize (renewed on each reconnect); null before the first.</summary>
    public InitializeResult? InitializeResult => Volatile.Read(ref _initializeResult);

    public Implementation? ServerInfo => InitializeResult?.ServerInfo;

    public ServerCapabilities? ServerCapabilities => InitializeResult?.Capabilities;

    /// <summary>The protocol revision the server chose.</summary>
    public string? ProtocolVersion => InitializeResult?.ProtocolVersion;

    /// <summary>
    /// Connects the transport unless it is connected, runs the initialize handshake (initialize, then
    /// <c>notifications/initialized</c>) and returns the server's answer. May be called once. The capabilities are
    /// sent as given, plus <c>sampling</c>, <c>elicitation</c> and <c>roots</c> for each of those requests that has a
    /// handler registered (<see cref="SetRequestHandler"/>) and is not declared already. A reconnect re-sends the same.
    /// </summary>
    /// <exception cref="McpConnectException">The socket could not be opened.</exception>
    /// <exception cref="McpProtocolException">The server refused initialize.</exception>
    /// <exception cref="McpException">The server chose a protocol revision this client does not speak.</exception>
    public async Task<InitializeResult> InitializeAsync(ClientCapabilities capabilities, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(capabilities);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_state != McpClientState.Created)
                throw new InvalidOperationException($"InitializeAsync may be called once; the client is {_state}.");
            _state = McpClientState.Initializing;
        }

        try
        {
            var connection = _transport.Current is { IsOpen: true } open ? open : null;
            if (connection is null)
            {
                await _transport.ConnectAsync(cancellationToken).ConfigureAwait(false);
                connection = _transport.Current!;
            }

            StartReading(connection);
            var declared = WithHandlerCapabilities(capabilities);
            var result = await HandshakeAsync(connection, declared, cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                if (_state != McpClientState.Initializing) throw ClosedException();
                _capabilities = declared;
                Volatile.Write(ref _initializeResult, result);
                SetState(McpClientState.Ready);
            }
            LogInitialized(_logger, _config.Url, result.ServerInfo.Name, result.ServerInfo.Version, result.ProtocolVersion);
            return result;
        }
        catch
        {
            lock (_gate)
            {
                if (_state == McpClientState.Initializing) SetState(McpClientState.Created);
            }
            _transport.Current?.Abort("initialize failed");
            throw;
        }
    }

    /// <summary>Sends <c>ping</c> and returns the round-trip time.</summary>
    public async Task<TimeSpan> PingAsync(CancellationToken cancellationToken = default)
    {
        var started = _config.TimeProvider.GetTimestamp();
        await RequestAsync(McpMethods.Ping, _ => null, null, cancellationToken).ConfigureAwait(false);
        return _config.TimeProvider.GetElapsedTime(started);
    }

    /// <summary>One page of <c>tools/list</c>; pass the previous page's <see cref="ListToolsResult.NextCursor"/> for the next.</summary>
    public async Task<ListToolsResult> ListToolsPageAsync(string? cursor = null, CancellationToken cancellationToken = default)
    {
        var parameters = cursor is null ? null : new JObject { ["cursor"] = cursor };
        var result = await RequestAsync(McpMethods.ToolsList, _ => parameters, null, cancellationToken).ConfigureAwait(false);
        return Parse<ListToolsResult>(result, McpMethods.ToolsList);
    }

    /// <summary>Every tool the server offers: <c>tools/list</c>, following <c>nextCursor</c> until the last page.</summary>
    /// <exception cref="McpException">The server sent a cursor it had sent before (it would never end).</exception>
    public async Task<IReadOnlyList<Tool>> ListToolsAsync(CancellationToken cancellationToken = default)
    {
        var tools = new List<Tool>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? cursor = null;
        do
        {
            var page = await ListToolsPageAsync(cursor, cancellationToken).ConfigureAwait(false);
            tools.AddRange(page.Tools);
            cursor = string.IsNullOrEmpty(page.NextCursor) ? null : page.NextCursor;
            if (cursor is not null && !seen.Add(cursor))
                throw new McpException($"The server sent the tools/list cursor '{cursor}' twice; stopped after {tools.Count} tools.");
        }
        while (cursor is not null);
        return tools;
    }

    /// <summary>
    /// Calls a tool. A tool's own failure comes back as a result with <see cref="CallToolResult.IsError"/> set; an
    /// unknown tool or bad params is an <see cref="McpProtocolException"/>. With <paramref name="progress"/>, the
    /// request carries a progress token and the server's <c>notifications/progress</c> for it are reported there.
    /// </summary>
    public async Task<CallToolResult> CallToolAsync(string name, JObject? arguments = null, IProgress<ProgressParams>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var result = await RequestAsync(McpMethods.ToolsCall, id =>
        {
            var parameters = new JObject { ["name"] = name, ["arguments"] = arguments ?? new JObject() };
            if (progress is not null) parameters["_meta"] = new JObject { ["progressToken"] = id.ToToken() };
            return parameters;
        }, progress, cancellationToken).ConfigureAwait(false);
        return Parse<CallToolResult>(result, McpMethods.ToolsCall);
    }

    /// <summary>Any request, for methods this class does not wrap; returns the raw result.</summary>
    public Task<JToken> SendRequestAsync(string method, JObject? parameters = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        return RequestAsync(method, _ => parameters, null, cancellationToken);
    }

    /// <summary>Sends a notification (waiting for a reconnect like a request does).</summary>
    public async Task SendNotificationAsync(string method, JObject? parameters = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        using var timeout = new CancellationTokenSource(_config.RequestTimeout, _config.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await WaitUntilReadyAsync(linked.Token).ConfigureAwait(false);
            var connection = _transport.Current ?? throw ClosedException();
            await connection.SendAsync(JsonRpcWriter.Notification(method, parameters), linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new McpTimeoutException(method, _config.RequestTimeout,
                $"'{method}' could not be sent within {WebSocketTransport.Format(_config.RequestTimeout)}.");
        }
    }

    /// <summary>
    /// Sets the handler for requests the server sends with <paramref name="method"/> (e.g.
    /// <see cref="McpMethods.SamplingCreateMessage"/>, <see cref="McpMethods.ElicitationCreate"/>,
    /// <see cref="McpMethods.RootsList"/>); null removes it, and such requests are answered -32601 again.
    /// Register before <see cref="InitializeAsync"/> so that the matching capability is declared.
    /// </summary>
    public void SetRequestHandler(string method, McpRequestHandler? handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        if (handler is null) _requestHandlers.TryRemove(method, out _);
        else _requestHandlers[method] = handler;
    }

    /// <summary>
    /// Answers <c>sampling/createMessage</c>: the server asks the application's model for a completion. Declares the
    /// <c>sampling</c> capability when set before <see cref="InitializeAsync"/>. Params that do not parse are answered -32602.
    /// </summary>
    public void SetSamplingHandler(Func<CreateMessageParams, CancellationToken, Task<CreateMessageResult>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        SetRequestHandler(McpMethods.SamplingCreateMessage, async (p, ct) =>
            McpJson.ToToken(await handler(ParseParams<CreateMessageParams>(p, McpMethods.SamplingCreateMessage), ct).ConfigureAwait(false)));
    }

    /// <summary>
    /// Answers <c>elicitation/create</c>: the server asks the user for input. Declares the <c>elicitation</c>
    /// capability (form mode) when set before <see cref="InitializeAsync"/>; for URL mode, declare
    /// <c>elicitation: { form: {}, url: {} }</c> in the capabilities yourself.
    /// </summary>
    public void SetElicitationHandler(Func<ElicitParams, CancellationToken, Task<ElicitResult>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        SetRequestHandler(McpMethods.ElicitationCreate, async (p, ct) =>
            McpJson.ToToken(await handler(ParseParams<ElicitParams>(p, McpMethods.ElicitationCreate), ct).ConfigureAwait(false)));
    }

    /// <summary>Answers <c>roots/list</c> with the application's roots. Declares the <c>roots</c> capability when set before <see cref="InitializeAsync"/>.</summary>
    public void SetRootsHandler(Func<CancellationToken, Task<IReadOnlyList<Root>>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        SetRequestHandler(McpMethods.RootsList, async (_, ct) =>
            McpJson.ToToken(new ListRootsResult(await handler(ct).ConfigureAwait(false))));
    }

    /// <summary>Sends <c>logging/setLevel</c>: from now on the server sends <c>notifications/message</c> at <paramref name="level"/> and above.</summary>
    public async Task SetLoggingLevelAsync(string level, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(level);
        await RequestAsync(McpMethods.LoggingSetLevel, _ => new JObject { ["level"] = level }, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Calls <paramref name="handler"/> with the params of every notification named <paramref name="method"/>; dispose the result to stop.</summary>
    public IDisposable OnNotification(string method, Action<JObject?> handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentNullException.ThrowIfNull(handler);
        lock (_notificationHandlers)
        {
            _notificationHandlers[method] = [.. _notificationHandlers.GetValueOrDefault(method) ?? [], handler];
        }
        return new Subscription(() =>
        {
            lock (_notificationHandlers)
            {
                if (_notificationHandlers.TryGetValue(method, out var handlers))
                    _notificationHandlers[method] = handlers.Where(h => h != handler).ToArray();
            }
        });
    }

    /// <summary>Log entries the server sends (<c>notifications/message</c>).</summary>
    public IDisposable OnLogMessage(Action<LoggingMessageParams> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return OnNotification(McpMethods.Message, p => handler(Parse<LoggingMessageParams>(p ?? new JObject(), McpMethods.Message)));
    }

    /// <summary><c>notifications/tools/list_changed</c>: the server's tools changed; list them again.</summary>
    public IDisposable OnToolListChanged(Action handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return OnNotification(McpMethods.ToolsListChanged, _ => handler());
    }

    /// <summary>Closes the client: requests in flight fail, reconnecting stops, the socket is closed with 1000.</summary>
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

    private ClientCapabilities WithHandlerCapabilities(ClientCapabilities capabilities) => capabilities with
    {
        Sampling = capabilities.Sampling ?? (_requestHandlers.ContainsKey(McpMethods.SamplingCreateMessage) ? new JObject() : null),
        Elicitation = capabilities.Elicitation ?? (_requestHandlers.ContainsKey(McpMethods.ElicitationCreate) ? new JObject() : null),
        Roots = capabilities.Roots ?? (_requestHandlers.ContainsKey(McpMethods.RootsList) ? new JObject() : null),
    };

    private async Task<InitializeResult> HandshakeAsync(ClientConnection connection, ClientCapabilities capabilities, CancellationToken cancellationToken)
    {
        var parameters = new InitializeParams(_options.ProtocolVersion, capabilities, _options.ClientInfo);
        var token = await RequestAsync(McpMethods.Initialize, _ => parameters, null, cancellationToken, connection).ConfigureAwait(false);
        var result = Parse<InitializeResult>(token, McpMethods.Initialize);
        if (!McpProtocolVersions.Supported.Contains(result.ProtocolVersion, StringComparer.Ordinal))
        {
            throw new McpException($"The server chose protocol version '{result.ProtocolVersion}', which this client does not speak "
                + $"({string.Join(", ", McpProtocolVersions.Supported)}).");
        }
        await connection.SendAsync(JsonRpcWriter.Notification(McpMethods.Initialized, null), cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// Sends a request and awaits its answer. Without <paramref name="connection"/> it first waits until the client
    /// is ready (the caller's requests); with one it goes straight out on it (initialize, also during a reconnect).
    /// </summary>
    private async Task<JToken> RequestAsync(string method, Func<RequestId, object?> buildParams, IProgress<ProgressParams>? progress,
        CancellationToken cancellationToken, ClientConnection? connection = null)
    {
        using var timeout = new CancellationTokenSource(_config.RequestTimeout, _config.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var sent = false;
        RequestId id = default;
        try
        {
            if (connection is null)
            {
                await WaitUntilReadyAsync(linked.Token).ConfigureAwait(false);
                connection = _transport.Current ?? throw ClosedException();
            }

            id = new RequestId(Interlocked.Increment(ref _nextId));
            var pending = new PendingRequest(method, connection.Generation);
            _pending[id] = pending;
            if (progress is not null) _progress[id] = progress;
            try
            {
                await connection.SendAsync(JsonRpcWriter.Request(id, method, buildParams(id)), linked.Token).ConfigureAwait(false);
                sent = true;
                return await pending.Task.WaitAsync(linked.Token).ConfigureAwait(false);
            }
            finally
            {
                _pending.TryRemove(id, out _);
                if (progress is not null) _progress.TryRemove(id, out _);
            }
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            var timedOut = timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested;
            if (sent && method != McpMethods.Initialize)
            {
                // The spec: a sender that stops waiting SHOULD tell the receiver; initialize must not be cancelled.
                var reason = timedOut ? $"timed out after {WebSocketTransport.Format(_config.RequestTimeout)}" : "cancelled by the caller";
                Forget(connection!.SendAsync(JsonRpcWriter.Notification(McpMethods.Cancelled, new CancelledParams(id) { Reason = reason }), CancellationToken.None));
            }

            if (!timedOut) throw new OperationCanceledException($"'{method}' was cancelled.", null, cancellationToken);
            // Without a connection the request was still waiting for the client to be ready: nothing was sent.
            var during = connection is null ? " (waiting for the client to reconnect)" : "";
            throw new McpTimeoutException(method, _config.RequestTimeout,
                $"'{method}' got no answer within {WebSocketTransport.Format(_config.RequestTimeout)}{during}.");
        }
    }

    /// <summary>Returns when the client is ready, waiting for a reconnect if need be; throws when it never will be.</summary>
    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                switch (_state)
                {
                    case McpClientState.Ready:
                        return;
                    case McpClientState.Created:
                    case McpClientState.Initializing:
                        throw new InvalidOperationException("Call InitializeAsync, and await it, before sending requests.");
                    case McpClientState.Closed:
                        throw ClosedException();
                    default:
                        changed = _stateChanged.Task;
                        break;
                }
            }
            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private McpConnectionLostException ClosedException()
    {
        var reason = _closedReason;
        return reason is null
            ? new McpConnectionLostException("The client is closed.")
            : new McpConnectionLostException(reason.Message, reason);
    }

    private void StartReading(ClientConnection connection) => _ = Task.Run(() => ReadLoopAsync(connection));

    private async Task ReadLoopAsync(ClientConnection connection)
    {
        McpConnectionLostException reason;
        while (true)
        {
            string text;
            try
            {
                text = await connection.ReceiveAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (McpConnectionLostException ex)
            {
                reason = ex;
                break;
            }

            try
            {
                Dispatch(connection, text);
            }
            catch (Exception ex)
            {
                LogDispatchFailed(_logger, ex);
            }
        }

        OnConnectionLost(connection, reason);
    }

    private void Dispatch(ClientConnection connection, string text)
    {
        if (!JsonRpcMessage.TryParse(text, out var message, out var error, out var errorId))
        {
            // Not valid JSON-RPC. If it names a request of ours, that request fails; otherwise it is dropped, not
            // answered: answering a malformed answer with an error could start an endless exchange.
            if (errorId is { } badId && _pending.TryGetValue(badId, out var waiting))
                waiting.TrySetException(new McpException($"The server's answer to '{waiting.Method}' is not valid JSON-RPC: {error!.Message}"));
            LogInvalidMessage(_logger, error!.Message);
            return;
        }

        switch (message!.Kind)
        {
            case JsonRpcMessageKind.Response:
                if (_pending.TryGetValue(message.Id!.Value, out var pending)) pending.TrySetResult(message.Result!);
                else LogUnmatchedResponse(_logger, message.Id.Value.ToString());
                return;

            case JsonRpcMessageKind.ErrorResponse:
                var rpcError = message.Error!;
                if (message.Id is { } errorFor && _pending.TryGetValue(errorFor, out var failed))
                    failed.TrySetException(new McpProtocolException(rpcError.Code, rpcError.Message, rpcError.Data));
                else LogUnmatchedError(_logger, rpcError.Code, rpcError.Message);
                return;

            case JsonRpcMessageKind.Notification:
                OnServerNotification(connection, message.Method!, message.Params);
                return;

            case JsonRpcMessageKind.Request:
                OnServerRequest(connection, message.Id!.Value, message.Method!, message.Params);
                return;
        }
    }

    private void OnServerNotification(ClientConnection connection, string method, JObject? parameters)
    {
        switch (method)
        {
            case McpMethods.Progress:
                if (RequestId.TryFrom(parameters?["progressToken"], out var token) && _progress.TryGetValue(token, out var progress))
                {
                    try
                    {
                        progress.Report(Parse<ProgressParams>(parameters!, method));
                    }
                    catch (Exception ex)
                    {
                        LogHandlerFailed(_logger, method, ex);
                    }
                }
                break;

            case McpMethods.Cancelled:
                if (RequestId.TryFrom(parameters?["requestId"], out var cancelledId)
                    && _serverRequests.TryGetValue((connection.Generation, cancelledId), out var handlerCancellation))
                {
                    try
                    {
                        handlerCancellation.Cancel();
                    }
                    catch (ObjectDisposedException)
                    {
                        // It finished meanwhile.
                    }
                }
                break;
        }

        Action<JObject?>[]? handlers;
        lock (_notificationHandlers)
        {
            handlers = _notificationHandlers.GetValueOrDefault(method);
        }
        foreach (var handler in handlers ?? [])
        {
            try
            {
                handler(parameters);
            }
            catch (Exception ex)
            {
                LogHandlerFailed(_logger, method, ex);
            }
        }
    }

    private void OnServerRequest(ClientConnection connection, RequestId id, string method, JObject? parameters)
    {
        if (method == McpMethods.Ping)
        {
            Forget(connection.SendAsync(JsonRpcWriter.ResultRaw(id, "{}"), CancellationToken.None));
            return;
        }

        if (!_requestHandlers.TryGetValue(method, out var handler))
        {
            Forget(connection.SendAsync(JsonRpcWriter.Error(id, JsonRpcErrorCodes.MethodNotFound,
                $"Method not found: {method} (the client has no handler for it)"), CancellationToken.None));
            return;
        }

        var cancellation = CancellationTokenSource.CreateLinkedTokenSource(_closing.Token);
        if (!_serverRequests.TryAdd((connection.Generation, id), cancellation))
        {
            cancellation.Dispose();
            Forget(connection.SendAsync(JsonRpcWriter.Error(id, JsonRpcErrorCodes.InvalidRequest,
                $"Request id {id} is already in use by a request in flight."), CancellationToken.None));
            return;
        }

        _ = Task.Run(() => AnswerServerRequestAsync(connection, id, method, parameters, handler, cancellation));
    }

    private async Task AnswerServerRequestAsync(ClientConnection connection, RequestId id, string method, JObject? parameters,
        McpRequestHandler handler, CancellationTokenSource cancellation)
    {
        string answer;
        try
        {
            var result = await handler(parameters, cancellation.Token).ConfigureAwait(false);
            answer = JsonRpcWriter.Result(id, result ?? new JObject());
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            return; // cancelled by the server or the connection is gone: no answer, as the spec asks
        }
        catch (McpProtocolException ex)
        {
            answer = JsonRpcWriter.Error(id, new JsonRpcError(ex.Code, ex.Message, ex.ErrorData));
        }
        catch (Exception ex)
        {
            LogHandlerFailed(_logger, method, ex);
            answer = JsonRpcWriter.Error(id, JsonRpcErrorCodes.InternalError, $"The client's {method} handler failed: {ex.Message}");
        }
        finally
        {
            _serverRequests.TryRemove((connection.Generation, id), out _);
            cancellation.Dispose();
        }

        try
        {
            await connection.SendAsync(answer, CancellationToken.None).ConfigureAwait(false);
        }
        catch (McpConnectionLostException)
        {
            // The connection it came on is gone; so is the server's interest in the answer.
        }
    }

    private void OnConnectionLost(ClientConnection connection, McpConnectionLostException reason)
    {
        var disconnected = false;
        var reconnect = false;
        lock (_gate)
        {
            if (_state == McpClientState.Ready && _transport.Current == connection)
            {
                disconnected = true;
                if (_config.AutoReconnect)
                {
                    reconnect = true;
                    SetState(McpClientState.Reconnecting);
                }
                else
                {
                    _closedReason = new McpConnectionLostException($"{reason.Message} AutoReconnect is off, so the client is closed.", reason);
                    SetState(McpClientState.Closed);
                }
            }
        }

        FailPending(connection.Generation, reason);
        foreach (var (key, cancellation) in _serverRequests)
        {
            if (key.Generation != connection.Generation) continue;
            try
            {
                cancellation.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // It finished meanwhile.
            }
        }

        if (!disconnected) return;
        LogDisconnected(_logger, _config.Url, reason.Message, reconnect);
        Raise(Disconnected, new McpDisconnectedEventArgs(reason, reconnect), nameof(Disconnected));
        if (reconnect)
        {
            lock (_gate)
            {
                _reconnectLoop = Task.Run(() => ReconnectLoopAsync(reason));
            }
        }
    }

    private void FailPending(int upToGeneration, McpConnectionLostException reason)
    {
        foreach (var (_, pending) in _pending)
        {
            if (pending.Generation > upToGeneration) continue;
            pending.TrySetException(new McpConnectionLostException(
                $"{reason.Message.TrimEnd('.')}. The '{pending.Method}' request got no answer; the server may or may not have carried it out.", reason));
        }
    }

    private async Task ReconnectLoopAsync(McpConnectionLostException cause)
    {
        var clock = _config.TimeProvider;
        var failures = 0;
        Exception lastError = cause;
        while (true)
        {
            if (_backoff.Exhausted(failures))
            {
                GiveUp(failures, lastError);
                return;
            }

            var attempt = failures + 1;
            var delay = _backoff.DelayBefore(attempt);
            // The wait starts before the event is raised, so a handler that advances a fake clock cannot miss it.
            var wait = Task.Delay(delay, clock, _closing.Token);
            LogReconnecting(_logger, attempt, delay.TotalMilliseconds);
            Raise(Reconnecting, new McpReconnectingEventArgs(attempt, delay, lastError), nameof(Reconnecting));
            try
            {
                await wait.ConfigureAwait(false);
                var connection = await _transport.OpenAsync(_closing.Token).ConfigureAwait(false);
                StartReading(connection);
                var result = await HandshakeAsync(connection, _capabilities!, _closing.Token).ConfigureAwait(false);
                lock (_gate)
                {
                    if (_state != McpClientState.Reconnecting) return; // closed meanwhile
                    Volatile.Write(ref _initializeResult, result);
                    SetState(McpClientState.Ready);
                }
                LogReconnected(_logger, _config.Url, attempt);
                Raise(Reconnected, new McpReconnectedEventArgs(attempt, result), nameof(Reconnected));
                return;
            }
            catch (Exception ex) when (_closing.IsCancellationRequested && ex is OperationCanceledException or ObjectDisposedException or McpException)
            {
                return;
            }
            catch (Exception ex)
            {
                failures++;
                lastError = ex;
                LogAttemptFailed(_logger, attempt, ex.Message);
                if (_transport.Current is { IsOpen: true } half) half.Abort("reconnect attempt failed");
                if (ex is McpConnectException { IsRetryable: false })
                {
                    GiveUp(failures, ex);
                    return;
                }
            }
        }
    }

    private void GiveUp(int failures, Exception lastError)
    {
        lock (_gate)
        {
            if (_state != McpClientState.Reconnecting) return;
            _closedReason = new McpConnectionLostException(
                $"Gave up reconnecting to {_config.Url} after {failures} failed attempt(s); the client is closed. Last error: {lastError.Message}", lastError);
            SetState(McpClientState.Closed);
        }
        LogGaveUp(_logger, _config.Url, failures, lastError.Message);
        Raise(GaveUp, new McpGaveUpEventArgs(failures, lastError), nameof(GaveUp));
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Initialized with {Url}: {Server} {Version}, protocol {Protocol}")]
    private static partial void LogInitialized(ILogger logger, Uri url, string server, string version, string protocol);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Disconnected from {Url}: {Reason} (reconnecting: {Reconnect})")]
    private static partial void LogDisconnected(ILogger logger, Uri url, string reason, bool reconnect);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconnect attempt {Attempt} in {DelayMs:0} ms")]
    private static partial void LogReconnecting(ILogger logger, int attempt, double delayMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reconnect attempt {Attempt} failed: {Reason}")]
    private static partial void LogAttemptFailed(ILogger logger, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconnected to {Url} on attempt {Attempt}")]
    private static partial void LogReconnected(ILogger logger, Uri url, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Gave up reconnecting to {Url} after {Failures} failed attempts: {Reason}")]
    private static partial void LogGaveUp(ILogger logger, Uri url, int failures, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A handler for {Name} failed")]
    private static partial void LogHandlerFailed(ILogger logger, string name, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Dispatching a message from the server failed")]
    private static partial void LogDispatchFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The server sent a message that is not valid JSON-RPC: {Error}")]
    private static partial void LogInvalidMessage(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "An answer for request {Id} came after the request was given up; dropped")]
    private static partial void LogUnmatchedResponse(ILogger logger, string id);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The server sent an error no pending request matches: {Code} {Message}")]
    private static partial void LogUnmatchedError(ILogger logger, int code, string message);

    [LoggerMessage(Level = LogLevel.Debug, Message = "A message could not be sent: {Reason}")]
    private static partial void LogSendFailed(ILogger logger, string reason);
}
