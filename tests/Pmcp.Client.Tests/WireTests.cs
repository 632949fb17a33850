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
public sealed partial class WireTests : IAsyncLifetime
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
