using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Pmcp.Actors.Tests.Support;

/// <summary>
/// A small MCP client over <see cref="ClientWebSocket"/> for loopback tests. A background loop receives every
/// message: responses complete the request with the same id, notifications go to <see cref="ReadNotificationAsync"/>,
/// responses nobody waits for (such as a parse error's <c>id: null</c>) go to <see cref="ReadUnmatchedAsync"/>, and
/// everything is kept in arrival order in <see cref="Received"/>. <see cref="Closed"/> tells how the socket ended.
/// <para>
/// It also checks the JSON-RPC invariant that each request id gets exactly one response. Every client, on dispose,
/// fails the test if an id it sent (through <see cref="StartRequestAsync"/> or <see cref="ExpectResponse"/>) was
/// answered more often than it was sent. With <see cref="RequireEveryRequestAnswered"/> on (the default), a socket that is still
/// open at dispose must also have had every such request answered (requests the test cancelled with
/// <c>notifications/cancelled</c> excepted), and any response to an id it never sent is a failure too.
/// </para>
/// </summary>
internal sealed partial class McpTestClient : IAsyncDisposable
{
    public const string LatestProtocolVersion = "2025-11-25";

    private readonly ClientWebSocket _socket;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<WireMessage>> _pending = new();
    private readonly Channel<WireMessage> _notifications = Channel.CreateUnbounded<WireMessage>();
    private readonly Channel<WireMessage> _unmatched = Channel.CreateUnbounded<WireMessage>();
    private readonly List<WireMessage> _received = [];
    private readonly TaskCompletionSource<CloseInfo> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // Started before the connect: every time the server measures (its handshake deadline starts once the socket is
    // accepted) is then a lower bound here, however late a loaded machine runs the connect's continuation.
    private readonly Stopwatch _clock;
    private readonly Task _receiveLoop;
    private readonly object _ledgerLock = new();
    private readonly Dictionary<string, int> _sentCount = [];
    private readonly Dictionary<string, int> _answerCount = [];
    private readonly HashSet<string> _cancelled = [];
    private readonly List<string> _violations = [];
    private long _nextId;
    private long _sequence;

    private McpTestClient(ClientWebSocket socket, Stopwatch clock)
    {
        _socket = socket;
        _clock = clock;
        _receiveLoop = Task.Run(ReceiveLoopAsync);
    }

    /// <summary>
    /// When true (the default), dispose also waits (up to <see cref="Deadline.Default"/>) for every request not cancelled by the
    /// test to be answered while the socket stays open, and counts a response to an id never sent as a violation.
    /// </summary>
    public bool RequireEveryRequestAnswered { get; set; } = true;

    /// <summary>The subprotocol the server agreed to, null when none.</summary>
    public string? SubProtocol => _socket.SubProtocol;

    public WebSocketState State => _socket.State;

    /// <summary>Time since the client connected, on the clock that stamps <see cref="WireMessage.ReceivedAt"/>.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Completes when the socket has ended: with the server's close status, or as aborted.</summary>
    public Task<CloseInfo> Closed => _closed.Task;

    /// <summary>"open", or how the socket ended: for assertion messages.</summary>
    public string CloseState => _closed.Task.IsCompletedSuccessfully ? _closed.Task.Result.ToString() : "open";

    /// <summary>Every message received so far, in arrival order.</summary>
    public IReadOnlyList<WireMessage> Received
    {
        get
        {
            lock (_received)
            {
                return _received.ToArray();
            }
        }
    }

    /// <summary>Opens a WebSocket to <paramref name="uri"/>, offering <paramref name="subProtocol"/> unless null.</summary>
    /// <param name="from">The loopback address to connect from (<see cref="LoopbackSource"/>); null: the system's choice.</param>
    public static async Task<McpTestClient> ConnectAsync(Uri uri, string? subProtocol = "mcp", TimeSpan? timeout = null, Action<ClientWebSocketOptions>? configure = null, System.Net.IPAddress? from = null)
    {
        var socket = new ClientWebSocket();
        configure?.Invoke(socket.Options);
        if (subProtocol is not null)
        {
            socket.Options.AddSubProtocol(subProtocol);
        }

        socket.Options.CollectHttpResponseDetails = true;
        using var cts = new CancellationTokenSource(timeout ?? Deadline.Default);
        var clock = Stopwatch.StartNew();
        try
        {
            if (from is null) await socket.ConnectAsync(uri, cts.Token).ConfigureAwait(false);
            else
            {
                // Not disposed: the upgraded connection came from its handler and lives as long as the socket.
                var invoker = new HttpMessageInvoker(LoopbackSource.Handler(from));
                await socket.ConnectAsync(uri, invoker, cts.Token).ConfigureAwait(false);
            }
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new McpTestClient(socket, clock);
    }

    /// <summary>Drops the TCP connection without a close handshake, as a crashed client would.</summary>
    public void Abort() => _socket.Abort();

    public Task<CloseInfo> WaitForCloseAsync(TimeSpan? timeout = null) =>
        Closed.Within(timeout ?? Deadline.Default, "the server to close the socket");

    public Task SendTextAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true);

    /// <summary>Sends these bytes as one text frame, unchecked (they need not be UTF-8).</summary>
    public Task SendTextBytesAsync(byte[] payload) => SendAsync(payload, WebSocketMessageType.Text, endOfMessage: true);

    public Task SendBinaryAsync(byte[] payload) => SendAsync(payload, WebSocketMessageType.Binary, endOfMessage: true);

    /// <summary>Sends one text message as several frames, one per part (continuation frames after the first).</summary>
    public Task SendFragmentedTextAsync(params string[] parts) =>
        SendFragmentedBytesAsync(parts.Select(p => Encoding.UTF8.GetBytes(p)).ToArray());

    /// <summary>Sends one text message as several frames of these bytes (a part may end inside a UTF-8 character).</summary>
    public async Task SendFragmentedBytesAsync(params byte[][] parts)
    {
        await _sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            for (var i = 0; i < parts.Length; i++)
            {
                using var cts = new CancellationTokenSource(Deadline.Default);
                await _socket.SendAsync(parts[i], WebSocketMessageType.Text, i == parts.Length - 1, cts.Token).ConfigureAwait(false);
            }
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Registers a waiter for the response with this id, for a request sent some other way (raw text).</summary>
    public Task<WireMessage> ExpectResponse(JToken id)
    {
        var waiter = new TaskCompletionSource<WireMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        var key = WireMessage.IdKey(id);
        if (!_pending.TryAdd(key, waiter))
        {
            throw new InvalidOperationException($"A request with id {key} is already waiting.");
        }

        lock (_ledgerLock)
        {
            _sentCount[key] = _sentCount.GetValueOrDefault(key) + 1;
            _cancelled.Remove(key);
        }

        if (_closed.Task.IsCompleted)
        {
            FailPending(_closed.Task.Result);
        }

        return waiter.Task;
    }

    /// <summary>Writes a request and returns once it is on the wire; its response comes with <see cref="PendingRequest.ResponseAsync"/>.</summary>
    public async Task<PendingRequest> StartRequestAsync(string method, JObject? @params = null, JToken? id = null)
    {
        id ??= new JValue(Interlocked.Increment(ref _nextId));
        var response = ExpectResponse(id);
        var message = new JObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method };
        if (@params is not null)
        {
            message["params"] = @params;
        }

        await SendTextAsync(message.ToString(Formatting.None)).ConfigureAwait(false);
        return new PendingRequest(id, method, response);
    }

    public async Task<WireMessage> RequestAsync(string method, JObject? @params = null, TimeSpan? timeout = null)
    {
        var pending = await StartRequestAsync(method, @params).ConfigureAwait(false);
        return await pending.ResponseAsync(timeout).ConfigureAwait(false);
    }

    public Task NotifyAsync(string method, JObject? @params = null)
    {
        if (method == "notifications/cancelled" && @params?["requestId"] is { Type: JTokenType.String or JTokenType.Integer } cancelledId)
        {
            lock (_ledgerLock)
            {
                _cancelled.Add(WireMessage.IdKey(cancelledId)); // the server need not answer it
            }
        }

        var message = new JObject { ["jsonrpc"] = "2.0", ["method"] = method };
        if (@params is not null)
        {
            message["params"] = @params;
        }

        return SendTextAsync(message.ToString(Formatting.None));
    }

    /// <summary>initialize (checked for success), then notifications/initialized. Returns the initialize response.</summary>
    public async Task<WireMessage> InitializeAsync(string protocolVersion = LatestProtocolVersion)
    {
        var response = await RequestAsync("initialize", new JObject
        {
            ["protocolVersion"] = protocolVersion,
            ["capabilities"] = new JObject(),
            ["clientInfo"] = new JObject { ["name"] = "pmcp-loopback-tests", ["version"] = "1.0.0" },
        }).ConfigureAwait(false);
        response.EnsureSuccess();
        await NotifyAsync("notifications/initialized").ConfigureAwait(false);
        return response;
    }

    public Task<WireMessage> PingAsync(TimeSpan? timeout = null) => RequestAsync("ping", timeout: timeout);

    public Task<PendingRequest> StartToolCallAsync(string name, object? arguments = null, JToken? progressToken = null)
    {
        var @params = new JObject { ["name"] = name };
        if (arguments is not null)
        {
            @params["arguments"] = JObject.FromObject(arguments);
        }

        if (progressToken is not null)
        {
            @params["_meta"] = new JObject { ["progressToken"] = progressToken };
        }

        return StartRequestAsync("tools/call", @params);
    }

    public async Task<WireMessage> CallToolAsync(string name, object? arguments = null, TimeSpan? timeout = null)
    {
        var pending = await StartToolCallAsync(name, arguments).ConfigureAwait(false);
        return await pending.ResponseAsync(timeout).ConfigureAwait(false);
    }

    public Task<WireMessage> ReadNotificationAsync(TimeSpan? timeout = null) =>
        _notifications.Reader.ReadAsync().Within(timeout ?? Deadline.Default, "a notification from the server");

    public Task<WireMessage> ReadUnmatchedAsync(TimeSpan? timeout = null) =>
        _unmatched.Reader.ReadAsync().Within(timeout ?? Deadline.Default, "a response that no request waits for");

    /// <summary>
    /// Checks the one-response-per-id invariant (see <see cref="AssertEachRequestAnsweredOnceAsync"/>), starts the
    /// closing handshake (1000) and waits for the server's answer (aborting if it does not come), then checks again
    /// for answers that came late. Throws if the invariant was broken.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (RequireEveryRequestAnswered && !_closed.Task.IsCompleted)
        {
            await AwaitOutstandingAsync(Deadline.Default).ConfigureAwait(false);
        }

        await CloseAsync().ConfigureAwait(false);
        ThrowIfViolated();
    }

    private async Task CloseAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                await SendCloseAsync("test done").ConfigureAwait(false);
            }

            await _receiveLoop.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or TimeoutException or ObjectDisposedException)
        {
            // The server is gone or slow: abort below.
        }
        finally
        {
            _socket.Abort();
            _socket.Dispose();
        }
    }

    /// <summary>Our close frame (1000), sent in turn with the other sends and given two seconds.</summary>
    private async Task SendCloseAsync(string description)
    {
        await _sendLock.WaitAsync(Deadline.Default).ConfigureAwait(false);
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, description, cts.Token).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task SendAsync(ReadOnlyMemory<byte> payload, WebSocketMessageType type, bool endOfMessage)
    {
        await _sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            using var cts = new CancellationTokenSource(Deadline.Default);
            await _socket.SendAsync(payload, type, endOfMessage, cts.Token).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }
}
