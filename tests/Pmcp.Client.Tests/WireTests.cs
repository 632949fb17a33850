using System.Net.WebSockets;
using Microsoft.Extensions.Time.Testing;
using Newtonsoft.Json.Linq;
using Pmcp.Client.Tests.Support;
using Pmcp.Protocol;

namespace Pmcp.Client.Tests;

/// <summary>
/// What the client puts on the wire and how it treats what a server sends, against a scripted server: cancellation
/// notices, ids, progress tokens, server-to-client requests and notifications, errors, limits.
/// </summary>
public sealed class WireTests : IAsyncLifetime
{
    private ScriptedServer _server = null!;

    public async Task InitializeAsync() => _server = await ScriptedServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private WebSocketConfig Config => new(_server.Url) { AutoReconnect = false, RequestTimeout = Deadline.Default, PingInterval = null };

    private async Task<(McpClient Client, ScriptedConnection Connection, JObject Initialize)> ConnectAsync(
        WebSocketConfig? config = null, Action<McpClient>? beforeInitialize = null)
    {
        var client = new McpClient(config ?? Config);
        beforeInitialize?.Invoke(client);
        var initializing = client.InitializeAsync(ClientCapabilities.Minimal());
        var (connection, initialize) = await _server.AcceptInitializedAsync();
        await initializing.Within("initialize");
        return (client, connection, initialize);
    }

    [Fact]
    public async Task WebSocketTransport_SendsAndReceivesTextFrames_UnlikeTheSeedsStub()
    {
        await using var transport = new WebSocketTransport(Config);
        await transport.ConnectAsync().Within("connect");
        var connection = await _server.AcceptAsync();

        await transport.SendAsync("""{"jsonrpc":"2.0","method":"hello"}""").Within("send");
        var received = await connection.ReceiveAsync();
        await connection.SendTextAsync("""{"jsonrpc":"2.0","method":"world"}""");
        var answer = await transport.ReceiveAsync().Within("receive");
        await transport.CloseAsync().Within("close");

        Assert.Equal("hello", (string?)received["method"]);
        Assert.Equal("""{"jsonrpc":"2.0","method":"world"}""", answer);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, await connection.Closed.Within("the close handshake"));
        Assert.False(transport.IsConnected);
    }

    [Fact]
    public async Task UpgradeRequest_CarriesConfiguredHeadersAndMcpSubprotocol()
    {
        var config = Config with { Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer s3cret", ["X-Tenant"] = "t1" } };

        var (client, connection, _) = await ConnectAsync(config);
        await using var _ = client;

        var headers = Assert.Single(_server.UpgradeRequests);
        Assert.Equal("Bearer s3cret", headers.Authorization.ToString());
        Assert.Equal("t1", headers["X-Tenant"].ToString());
        Assert.Equal("mcp", connection.SubProtocol);
        Assert.Equal("mcp", ((WebSocketTransport)client.Transport).SubProtocol);
    }

    [Fact]
    public async Task InitializeAsync_ProbesDiscoverThenSendsClientInfoAndLatestVersionThenInitialized_WithIncreasingIntegerIds()
    {
        var (client, connection, initialize) = await ConnectAsync();
        await using var _ = client;

        // Id 1 went to the server/discover probe, which this 2025-era server answered -32601.
        Assert.Equal(1, _server.DiscoverProbes);
        Assert.False(client.IsModernProtocol);
        Assert.Equal(2L, (long)initialize["id"]!);
        Assert.Equal(McpProtocolVersions.Latest, (string?)initialize["params"]!["protocolVersion"]);
        Assert.Equal("pmcp-dotnet", (string?)initialize["params"]!["clientInfo"]!["name"]);
        Assert.Equal(new JObject(), initialize["params"]!["capabilities"]);

        var ping1 = client.PingAsync();
        var first = await connection.ExpectAsync(McpMethods.Ping);
        await connection.RespondAsync(first, new JObject());
        await ping1.Within("ping 1");
        var ping2 = client.PingAsync();
        var second = await connection.ExpectAsync(McpMethods.Ping);
        await connection.RespondAsync(second, new JObject());
        await ping2.Within("ping 2");

        Assert.Equal(3L, (long)first["id"]!);
        Assert.Equal(4L, (long)second["id"]!);
    }

    [Fact]
    public async Task InitializeAsync_WhenDiscoverGoesUnanswered_InitializesOnASocketOfItsOwn_AndClosesTheProbedOne()
    {
        // A server that says nothing to server/discover in time: a 2025-era one that drops unknown methods, or a 2026
        // one on a loaded machine, which took the socket for 2026 and would refuse initialize on it.
        _server.AnswersDiscoverAsLegacy = false;
        await using var client = new McpClient(Config, new McpClientOptions { DiscoverProbeTimeout = TimeSpan.FromMilliseconds(300) });
        var initializing = client.InitializeAsync(ClientCapabilities.Minimal());
        var probed = await _server.AcceptAsync();
        await probed.ExpectAsync(ModernProtocol.ServerDiscover);

        var (_, initialize) = await _server.AcceptInitializedAsync();
        await initializing.Within("initialize on the second socket");

        Assert.Equal(McpProtocolVersions.Latest, (string?)initialize["params"]!["protocolVersion"]);
        Assert.False(client.IsModernProtocol);
        await probed.Closed.Within("the probed socket to close");
    }

    [Fact]
    public async Task InitializeAsync_ThrowsAndCloses_WhenServerChoosesAVersionTheClientDoesNotSpeak()
    {
        await using var client = new McpClient(Config);
        var initializing = client.InitializeAsync(ClientCapabilities.Minimal());
        var connection = await _server.AcceptAsync();
        var initialize = await connection.ExpectAsync(McpMethods.Initialize);
        await connection.RespondAsync(initialize, new JObject
        {
            ["protocolVersion"] = "1999-01-01",
            ["capabilities"] = new JObject(),
            ["serverInfo"] = new JObject { ["name"] = "old", ["version"] = "1" },
        });

        var ex = await Assert.ThrowsAsync<McpException>(() => initializing.Within("initialize"));

        Assert.Contains("1999-01-01", ex.Message);
        Assert.Equal(McpClientState.Created, client.State);
        await connection.Closed.Within("the client to drop the socket");
    }

    [Fact]
    public async Task CallToolAsync_SendsCancelledForItsId_WhenRequestTimeoutPasses()
    {
        var clock = new FakeTimeProvider();
        var (client, connection, _) = await ConnectAsync(Config with { RequestTimeout = TimeSpan.FromSeconds(30), TimeProvider = clock });
        await using var _ = client;

        var call = client.CallToolAsync("slow");
        var request = await connection.ExpectAsync(McpMethods.ToolsCall);
        clock.Advance(TimeSpan.FromSeconds(29));
        Assert.False(call.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));
        var timeout = await Assert.ThrowsAsync<McpTimeoutException>(() => call.Within("the timeout"));
        var cancelled = await connection.ExpectAsync(McpMethods.Cancelled);

        Assert.Equal(request["id"], cancelled["params"]!["requestId"]);
        Assert.Equal("timed out after 30 s", (string?)cancelled["params"]!["reason"]);
        Assert.Null(cancelled["id"]);
        Assert.Equal("'tools/call' got no answer within 30 s.", timeout.Message);
    }

    [Fact]
    public async Task CallToolAsync_SendsCancelledForItsId_WhenCallerCancels()
    {
        var (client, connection, _) = await ConnectAsync();
        await using var _ = client;
        using var cts = new CancellationTokenSource();

        var call = client.CallToolAsync("slow", cancellationToken: cts.Token);
        var request = await connection.ExpectAsync(McpMethods.ToolsCall);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.Within("the cancellation"));
        var cancelled = await connection.ExpectAsync(McpMethods.Cancelled);
        // A late answer to the cancelled request is dropped; the next request is unaffected.
        await connection.RespondAsync(request, new JObject { ["content"] = new JArray() });
        var ping = client.PingAsync();
        await connection.RespondAsync(await connection.ExpectAsync(McpMethods.Ping), new JObject());
        await ping.Within("ping");

        Assert.Equal(request["id"], cancelled["params"]!["requestId"]);
        Assert.Equal("cancelled by the caller", (string?)cancelled["params"]!["reason"]);
    }

    [Fact]
    public async Task CallToolAsync_SendsProgressTokenAndReportsOnlyItsOwnProgress()
    {
        var (client, connection, _) = await ConnectAsync();
        await using var _ = client;
        var progress = new ListProgress();

        var call = client.CallToolAsync("work", new JObject { ["n"] = 1 }, progress);
        var request = await connection.ExpectAsync(McpMethods.ToolsCall);
        var token = request["params"]!["_meta"]!["progressToken"]!;
        await connection.NotifyAsync(McpMethods.Progress, new JObject { ["progressToken"] = "someone-else", ["progress"] = 1 });
        await connection.NotifyAsync(McpMethods.Progress, new JObject { ["progressToken"] = token, ["progress"] = 1, ["total"] = 2, ["message"] = "half" });
        await connection.NotifyAsync(McpMethods.Progress, new JObject { ["progressToken"] = token, ["progress"] = 2, ["total"] = 2 });
        await connection.RespondAsync(request, new JObject { ["content"] = new JArray(new JObject { ["type"] = "text", ["text"] = "done" }) });
        var result = await call.Within("the call");

        Assert.Equal("work", (string?)request["params"]!["name"]);
        Assert.Equal(1, (int)request["params"]!["arguments"]!["n"]!);
        Assert.Equal(request["id"], token);
        Assert.Equal([1.0, 2.0], progress.Reports.Select(r => r.Progress));
        Assert.Equal("half", progress.Reports[0].Message);
        Assert.Equal("done", Assert.IsType<TextContent>(Assert.Single(result.Content)).Text);
    }

    [Fact]
    public async Task CallToolAsync_OmitsProgressToken_WhenNoProgressIsGiven()
    {
        var (client, connection, _) = await ConnectAsync();
        await using var _ = client;

        var call = client.CallToolAsync("work");
        var request = await connection.ExpectAsync(McpMethods.ToolsCall);
        await connection.RespondAsync(request, new JObject { ["content"] = new JArray() });
        await call.Within("the call");

        Assert.Null(request["params"]!["_meta"]);
        Assert.Equal(new JObject(), request["params"]!["arguments"]);
    }

    [Fact]
    public async Task ErrorResponse_BecomesProtocolExceptionWithCodeMessageAndData()
    {
        var (client, connection, _) = await ConnectAsync();
        await using var _ = client;

        var call = client.SendRequestAsync("resources/read", new JObject { ["uri"] = "x://y" });
        var request = await connection.ExpectAsync("resources/read");
        await connection.RespondErrorAsync(request, JsonRpcErrorCodes.ResourceNotFound, "Resource not found", new JObject { ["uri"] = "x://y" });
        var ex = await Assert.ThrowsAsync<McpProtocolException>(() => call.Within("the error"));

        Assert.Equal(JsonRpcErrorCodes.ResourceNotFound, ex.Code);
        Assert.Equal("Resource not found", ex.Message);
        Assert.Equal("x://y", (string?)ex.ErrorData!["uri"]);
    }

    [Fact]
    public async Task ListToolsAsync_Throws_WhenServerRepeatsACursor()
    {
        var (client, connection, _) = await ConnectAsync();
        await using var _ = client;
        var page = new JObject { ["tools"] = new JArray(), ["nextCursor"] = "same" };

        var listing = client.ListToolsAsync();
        await connection.RespondAsync(await connection.ExpectAsync(McpMethods.ToolsList), page);
        var second = await connection.ExpectAsync(McpMethods.ToolsList);
        await connection.RespondAsync(second, page);

        var ex = await Assert.ThrowsAsync<McpException>(() => listing.Within("the listing"));
        Assert.Equal("same", (string?)second["params"]!["cursor"]);
        Assert.Contains("twice", ex.Message);
    }

    [Fact]
    public async Task ServerRequests_AreAnsweredMethodNotFound_WhenNoHandlerIsRegistered()
    {
        var (client, connection, _) = await ConnectAsync();
        await using var _ = client;

        string[] methods = [McpMethods.SamplingCreateMessage, McpMethods.ElicitationCreate, McpMethods.RootsList];
        for (var i = 0; i < methods.Length; i++) await connection.RequestAsync($"s{i}", methods[i], new JObject());
        var answers = new List<JObject>();
        for (var i = 0; i < methods.Length; i++) answers.Add(await connection.ReceiveAsync());

        Assert.Equal(["s0", "s1", "s2"], answers.Select(a => (string?)a["id"]).Order());
        Assert.All(answers, a => Assert.Equal(JsonRpcErrorCodes.MethodNotFound, (int)a["error"]!["code"]!));
    }

    [Fact]
    public async Task ServerRequests_AreAnsweredByHandlers_AndHandlersDeclareTheirCapabilities()
    {
        var (client, connection, initialize) = await ConnectAsync(beforeInitialize: c =>
        {
            c.SetRequestHandler(McpMethods.SamplingCreateMessage, (p, _) => Task.FromResult<JToken>(new JObject
            {
                ["role"] = "assistant",
                ["content"] = new JObject { ["type"] = "text", ["text"] = "sampled: " + (string?)p!["messages"]![0]!["content"]!["text"] },
                ["model"] = "test-model",
            }));
            c.SetRequestHandler(McpMethods.ElicitationCreate, (_, _) => Task.FromResult<JToken>(new JObject { ["action"] = "decline" }));
            c.SetRequestHandler(McpMethods.RootsList, (_, _) => Task.FromResult<JToken>(new JObject
            {
                ["roots"] = new JArray(new JObject { ["uri"] = "file:///work", ["name"] = "work" }),
            }));
        });
        await using var _ = client;

        var capabilities = (JObject)initialize["params"]!["capabilities"]!;
        Assert.Equal(["elicitation", "roots", "sampling"], capabilities.Properties().Select(p => p.Name).Order());

        await connection.RequestAsync(10, McpMethods.SamplingCreateMessage, new JObject
        {
            ["messages"] = new JArray(new JObject { ["role"] = "user", ["content"] = new JObject { ["type"] = "text", ["text"] = "hi" } }),
            ["maxTokens"] = 10,
        });
        var sampled = await connection.ReceiveAsync();
        await connection.RequestAsync(11, McpMethods.ElicitationCreate, new JObject { ["message"] = "name?" });
        var elicited = await connection.ReceiveAsync();
        await connection.RequestAsync(12, McpMethods.RootsList);
        var roots = await connection.ReceiveAsync();

        Assert.Equal(10L, (long)sampled["id"]!);
        Assert.Equal("sampled: hi", (string?)sampled["result"]!["content"]!["text"]);
        Assert.Equal("decline", (string?)elicited["result"]!["action"]);
        Assert.Equal("file:///work", (string?)roots["result"]!["roots"]![0]!["uri"]);
    }

    [Fact]
    public async Task ServerRequest_IsAnsweredWithTheHandlersError_WhenHandlerThrows()
    {
        var (client, connection, _) = await ConnectAsync(beforeInitialize: c =>
        {
            c.SetRequestHandler(McpMethods.SamplingCreateMessage, (_, _) => throw new McpProtocolException(-32042, "user said no", new JObject { ["why"] = "policy" }));
            c.SetRequestHandler(McpMethods.RootsList, (_, _) => throw new InvalidOperationException("disk on fire"));
        });
        await using var _ = client;

        await connection.RequestAsync(1, McpMethods.SamplingCreateMessage, new JObject());
        var refused = await connection.ReceiveAsync();
        await connection.RequestAsync(2, McpMethods.RootsList);
        var failed = await connection.ReceiveAsync();

        Assert.Equal(-32042, (int)refused["error"]!["code"]!);
        Assert.Equal("user said no", (string?)refused["error"]!["message"]);
        Assert.Equal("policy", (string?)refused["error"]!["data"]!["why"]);
        Assert.Equal(JsonRpcErrorCodes.InternalError, (int)failed["error"]!["code"]!);
        Assert.Contains("disk on fire", (string?)failed["error"]!["message"]);
    }

    [Fact]
    public async Task ServerRequest_HandlerIsCancelledAndNotAnswered_WhenServerSendsCancelled()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (client, connection, _) = await ConnectAsync(beforeInitialize: c =>
        {
            c.SetRequestHandler(McpMethods.ElicitationCreate, async (_, ct) =>
            {
                using var registration = ct.Register(() => cancelled.TrySetResult());
                started.TrySetResult();
                await Task.Delay(Timeout.Infinite, ct);
                return new JObject();
            });
        });
        await using var _ = client;

        await connection.RequestAsync("e1", McpMethods.ElicitationCreate, new JObject { ["message"] = "?" });
        await started.Task.Within("the handler to start");
        await connection.NotifyAsync(McpMethods.Cancelled, new JObject { ["requestId"] = "e1", ["reason"] = "user left" });
        await cancelled.Task.Within("the handler's token to be cancelled");
        // The next thing the client sends is the answer to this ping, not an answer to e1.
        await connection.RequestAsync("p1", McpMethods.Ping);
        var next = await connection.ReceiveAsync();

        Assert.Equal("p1", (string?)next["id"]);
        Assert.Equal(new JObject(), next["result"]);
    }

    [Fact]
    public async Task Notifications_ReachTheirHandlers_UntilUnsubscribed()
    {
        var logs = new List<LoggingMessageParams>();
        var listChanged = 0;
        var resources = new List<JObject?>();
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        IDisposable? resourceSubscription = null;
        var (client, connection, _) = await ConnectAsync(beforeInitialize: c =>
        {
            c.OnLogMessage(logs.Add);
            c.OnToolListChanged(() => listChanged++);
            resourceSubscription = c.OnNotification(McpMethods.ResourcesListChanged, resources.Add);
            c.OnNotification("test/done", _ => seen.TrySetResult());
        });
        await using var _ = client;

        await connection.NotifyAsync(McpMethods.Message, new JObject { ["level"] = "warning", ["logger"] = "db", ["data"] = new JObject { ["rows"] = 3 } });
        await connection.NotifyAsync(McpMethods.ToolsListChanged);
        await connection.NotifyAsync(McpMethods.ResourcesListChanged, new JObject { ["n"] = 1 });
        await connection.NotifyAsync("test/done");
        await seen.Task.Within("the notifications to be handled");
        resourceSubscription!.Dispose();
        seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await connection.NotifyAsync(McpMethods.ResourcesListChanged, new JObject { ["n"] = 2 });
        await connection.NotifyAsync("test/done");
        await seen.Task.Within("the second batch to be handled");

        var log = Assert.Single(logs);
        Assert.Equal("warning", log.Level);
        Assert.Equal("db", log.Logger);
        Assert.Equal(3, (int)log.Data!["rows"]!);
        Assert.Equal(1, listChanged);
        Assert.Equal(1, (int)Assert.Single(resources)!["n"]!);
    }

    [Fact]
    public async Task ServerPing_IsAnsweredWithEmptyResult()
    {
        var (client, connection, _) = await ConnectAsync(Config with { RequestTimeout = Timeout.InfiniteTimeSpan });
        await using var _ = client;

        await connection.RequestAsync(99, McpMethods.Ping);
        var answer = await connection.ReceiveAsync();

        Assert.Equal(99L, (long)answer["id"]!);
        Assert.Equal(new JObject(), answer["result"]);
    }

    [Fact]
    public async Task MessageOverMaxMessageBytes_ClosesWith1009AndFailsInFlightRequests()
    {
        var (client, connection, _) = await ConnectAsync(Config with { MaxMessageBytes = 1024 });
        await using var _ = client;

        var call = client.CallToolAsync("big");
        var request = await connection.ExpectAsync(McpMethods.ToolsCall);
        await connection.RespondAsync(request, new JObject { ["content"] = new JArray(new JObject { ["type"] = "text", ["text"] = new string('x', 4096) }) });

        var ex = await Assert.ThrowsAsync<McpConnectionLostException>(() => call.Within("the call to fail"));
        Assert.Contains("1009", ex.Message);
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, await connection.Closed.Within("the client's close frame"));
    }

    [Fact]
    public async Task BinaryFrame_ClosesWith1003AndFailsInFlightRequests()
    {
        var (client, connection, _) = await ConnectAsync();
        await using var _ = client;

        var call = client.PingAsync();
        await connection.ExpectAsync(McpMethods.Ping);
        await connection.SendBinaryAsync([1, 2, 3]);

        var ex = await Assert.ThrowsAsync<McpConnectionLostException>(() => call.Within("the ping to fail"));
        Assert.Contains("binary frame", ex.Message);
        Assert.Equal(WebSocketCloseStatus.InvalidMessageType, await connection.Closed.Within("the client's close frame"));
    }

    [Fact]
    public async Task ServerCloseFrame_FailsInFlightRequestWithItsCode_AndClosesClient_WhenAutoReconnectIsOff()
    {
        var (client, connection, _) = await ConnectAsync();
        await using var _ = client;
        var events = new ClientEvents(client);

        var call = client.CallToolAsync("slow");
        await connection.ExpectAsync(McpMethods.ToolsCall);
        await connection.CloseAsync(WebSocketCloseStatus.EndpointUnavailable, "server shutting down");

        var ex = await Assert.ThrowsAsync<McpConnectionLostException>(() => call.Within("the call to fail"));
        Assert.Contains("1001 server shutting down", ex.Message);
        var disconnected = await events.NextAsync<McpDisconnectedEventArgs>();
        Assert.False(disconnected.WillReconnect);
        Assert.Equal(McpClientState.Closed, client.State);
        var later = await Assert.ThrowsAsync<McpConnectionLostException>(() => client.PingAsync());
        Assert.Contains("AutoReconnect is off", later.Message);
    }
}
