using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Pmcp.Protocol;

namespace Pmcp.Client.Tests.Support;

/// <summary>
/// A WebSocket server the test drives by hand: each accepted socket comes out of <see cref="AcceptAsync"/> as a
/// <see cref="ScriptedConnection"/>, and the test reads what the client sent and writes what the server says —
/// including what the real server never sends (server-to-client requests, log messages, list_changed), drops, and
/// upgrade refusals (<see cref="RefuseUpgradesWith"/>).
/// </summary>
internal sealed class ScriptedServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<ScriptedConnection> _accepted = Channel.CreateUnbounded<ScriptedConnection>();
    private readonly ConcurrentQueue<IHeaderDictionary> _upgradeRequests = new();
    private readonly List<ScriptedConnection> _connections = [];
    private int _upgradeAttempts;
    private int _refusalsLeft;
    private int _refusalStatus;
    private int _discoverProbes;

    private ScriptedServer(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    /// <summary>
    /// When true (the default), a <c>server/discover</c> request is answered -32601 at once, as a 2025-era server
    /// does, and never reaches the test; when false it comes out of <see cref="ScriptedConnection.ReceiveAsync"/> like any message.
    /// </summary>
    public bool AnswersDiscoverAsLegacy { get; set; } = true;

    /// <summary>How many <c>server/discover</c> probes were answered -32601 for the test.</summary>
    public int DiscoverProbes => Volatile.Read(ref _discoverProbes);

    /// <summary>When set, upgrade requests are answered with this HTTP status instead of being accepted.</summary>
    public int? RefuseUpgradesWith { get; set; }

    /// <summary>Refuses the next <paramref name="count"/> upgrade requests with <paramref name="status"/>, then accepts again.</summary>
    public void RefuseNext(int count, int status)
    {
        Volatile.Write(ref _refusalStatus, status);
        Volatile.Write(ref _refusalsLeft, count);
    }

    /// <summary>Upgrade requests seen so far, refused ones included.</summary>
    public int UpgradeAttempts => Volatile.Read(ref _upgradeAttempts);

    /// <summary>The headers of every upgrade request, in arrival order.</summary>
    public IReadOnlyList<IHeaderDictionary> UpgradeRequests => _upgradeRequests.ToArray();

    public static async Task<ScriptedServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new ScriptedServer(app);
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
        app.Map("/mcp", server.HandleAsync);
        await app.StartAsync().Within("the scripted server to start").ConfigureAwait(false);
        server.Url = new Uri($"ws://127.0.0.1:{new Uri(app.Urls.First()).Port}/mcp");
        return server;
    }

    /// <summary>The next socket a client opened.</summary>
    public Task<ScriptedConnection> AcceptAsync() => _accepted.Reader.ReadAsync().Within("a client to connect");

    /// <summary>Accepts a socket and completes the handshake on it; returns the connection and the initialize request.</summary>
    public async Task<(ScriptedConnection Connection, JObject Initialize)> AcceptInitializedAsync()
    {
        var connection = await AcceptAsync().ConfigureAwait(false);
        var initialize = await connection.CompleteHandshakeAsync().ConfigureAwait(false);
        return (connection, initialize);
    }

    public async ValueTask DisposeAsync()
    {
        ScriptedConnection[] open;
        lock (_connections) open = [.. _connections];
        foreach (var connection in open) connection.Drop();
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _upgradeAttempts);
        _upgradeRequests.Enqueue(context.Request.Headers);
        if (RefuseUpgradesWith is { } status)
        {
            context.Response.StatusCode = status;
            return;
        }

        if (Interlocked.Decrement(ref _refusalsLeft) >= 0)
        {
            context.Response.StatusCode = Volatile.Read(ref _refusalStatus);
            return;
        }

        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            return;
        }

        var offered = context.WebSockets.WebSocketRequestedProtocols.Contains("mcp");
        var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            SubProtocol = offered ? "mcp" : null,
            KeepAliveInterval = TimeSpan.Zero,
        }).ConfigureAwait(false);
        var connection = new ScriptedConnection(context, socket, AnswersDiscoverAsLegacy ? () => Interlocked.Increment(ref _discoverProbes) : null);
        lock (_connections) _connections.Add(connection);
        _accepted.Writer.TryWrite(connection);
        await connection.RunAsync().ConfigureAwait(false);
    }
}

/// <summary>One socket of a <see cref="ScriptedServer"/>: what the client sent, in order, and a way to answer.</summary>
internal sealed class ScriptedConnection
{
    private readonly HttpContext _context;
    private readonly WebSocket _socket;
    private readonly Channel<JObject> _inbound = Channel.CreateUnbounded<JObject>();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly TaskCompletionSource<WebSocketCloseStatus?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly Action? _discoverProbed;

    /// <param name="discoverProbed">When given, <c>server/discover</c> is answered -32601 here (and this is called) instead of reaching the test.</param>
    public ScriptedConnection(HttpContext context, WebSocket socket, Action? discoverProbed = null)
    {
        _context = context;
        _socket = socket;
        _discoverProbed = discoverProbed;
    }

    /// <summary>The subprotocol agreed on the upgrade.</summary>
    public string? SubProtocol => _socket.SubProtocol;

    /// <summary>Completes when the socket ends: with the client's close status, or null when it was aborted.</summary>
    public Task<WebSocketCloseStatus?> Closed => _closed.Task;

    /// <summary>The next message from the client.</summary>
    public Task<JObject> ReceiveAsync(string what = "a message from the client") => _inbound.Reader.ReadAsync().Within(what);

    /// <summary>The next message, which must be a request or notification with this method.</summary>
    public async Task<JObject> ExpectAsync(string method)
    {
        var message = await ReceiveAsync($"'{method}' from the client").ConfigureAwait(false);
        Assert.True((string?)message["method"] == method, $"Expected '{method}', received {message.ToString(Formatting.None)}");
        return message;
    }

    /// <summary>Reads initialize, answers it, reads notifications/initialized. Returns the initialize request.</summary>
    public async Task<JObject> CompleteHandshakeAsync(string protocolVersion = McpProtocolVersions.Latest)
    {
        var initialize = await ExpectAsync(McpMethods.Initialize).ConfigureAwait(false);
        await RespondAsync(initialize, new JObject
        {
            ["protocolVersion"] = protocolVersion,
            ["capabilities"] = new JObject { ["tools"] = new JObject() },
            ["serverInfo"] = new JObject { ["name"] = "scripted", ["version"] = "0.1" },
        }).ConfigureAwait(false);
        await ExpectAsync(McpMethods.Initialized).ConfigureAwait(false);
        return initialize;
    }

    public Task RespondAsync(JObject request, JToken result) =>
        SendAsync(new JObject { ["jsonrpc"] = "2.0", ["id"] = request["id"], ["result"] = result });

    public Task RespondErrorAsync(JObject request, int code, string message, JToken? data = null)
    {
        var error = new JObject { ["code"] = code, ["message"] = message };
        if (data is not null) error["data"] = data;
        return SendAsync(new JObject { ["jsonrpc"] = "2.0", ["id"] = request["id"], ["error"] = error });
    }

    public Task NotifyAsync(string method, JObject? parameters = null)
    {
        var message = new JObject { ["jsonrpc"] = "2.0", ["method"] = method };
        if (parameters is not null) message["params"] = parameters;
        return SendAsync(message);
    }

    public Task RequestAsync(JToken id, string method, JObject? parameters = null)
    {
        var message = new JObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method };
        if (parameters is not null) message["params"] = parameters;
        return SendAsync(message);
    }

    public Task SendAsync(JObject message) => SendTextAsync(message.ToString(Formatting.None));

    public async Task SendTextAsync(string text)
    {
        await _sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            using var timeout = new CancellationTokenSource(Deadline.Default);
            await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, timeout.Token).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public async Task SendBinaryAsync(byte[] payload)
    {
        await _sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            using var timeout = new CancellationTokenSource(Deadline.Default);
            await _socket.SendAsync(payload, WebSocketMessageType.Binary, true, timeout.Token).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Drops the connection without a close frame (the TCP connection is reset).</summary>
    public void Drop()
    {
        if (_closed.Task.IsCompleted) return;
        try
        {
            _context.Abort();
        }
        catch (ObjectDisposedException)
        {
            // The request ended meanwhile: the socket is gone already.
        }
    }

    /// <summary>Sends a close frame with <paramref name="status"/>; the client answers and the socket ends.</summary>
    public async Task CloseAsync(WebSocketCloseStatus status, string reason)
    {
        await _sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            using var timeout = new CancellationTokenSource(Deadline.Default);
            await _socket.CloseOutputAsync(status, reason, timeout.Token).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    internal async Task RunAsync()
    {
        var buffer = new byte[64 * 1024];
        var message = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer, _context.RequestAborted).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    if (_socket.State == WebSocketState.CloseReceived)
                        await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None).ConfigureAwait(false);
                    _closed.TrySetResult(_socket.CloseStatus);
                    return;
                }

                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage) continue;
                var received = JObject.Parse(Encoding.UTF8.GetString(message.ToArray()));
                message.SetLength(0);
                if (_discoverProbed is not null && (string?)received["method"] == "server/discover" && received["id"] is not null)
                {
                    _discoverProbed();
                    await RespondErrorAsync(received, JsonRpcErrorCodes.MethodNotFound, "Method not found: server/discover").ConfigureAwait(false);
                    continue;
                }
                _inbound.Writer.TryWrite(received);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            _closed.TrySetResult(null);
        }
        finally
        {
            _inbound.Writer.TryComplete();
        }
    }
}
