using System.Net.WebSockets;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Messages;
using Pmcp.Actors.Runtime;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Runtime;

/// <summary>Requests from tools to their client, logging, progress pacing, call timeouts and list changes.</summary>
public sealed class SessionFeatureSpecs : SessionSpecs
{
    private readonly IActorRef _server;
    private readonly IActorRef _router;
    private readonly TaskCompletionSource _hangCancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _sampleEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public SessionFeatureSpecs(ITestOutputHelper output) : base(output)
    {
        var options = new McpServerOptions
        {
            ClientRequestTimeout = TimeSpan.FromMilliseconds(500),
            ToolCallTimeout = TimeSpan.FromSeconds(30),
            ProgressInterval = TimeSpan.FromSeconds(30),
        };
        var definition = new McpServerBuilder()
            .Tool("sample", async (args, ctx) =>
            {
                try
                {
                    var answer = await ctx.Client.SampleAsync(new CreateMessageParams([new SamplingMessage("user", new TextContent((string?)args["prompt"] ?? ""))], 50), ctx.CancellationToken);
                    return CallToolResult.Text($"model {answer.Model} said: {((TextContent)answer.Content).Text}");
                }
                catch (ClientRequestException ex)
                {
                    _sampleEnded.TrySetResult(ex.Failure.ToString());
                    return CallToolResult.Error($"{ex.Failure}: {ex.Message}");
                }
                catch (OperationCanceledException)
                {
                    _sampleEnded.TrySetResult("cancelled");
                    throw;
                }
            })
            .Tool("elicit-url", async (_, ctx) =>
            {
                try
                {
                    var result = await ctx.Client.ElicitAsync(ElicitParams.ForUrl("Sign in", "https://example.test/login", "e1"), ctx.CancellationToken);
                    return CallToolResult.Text(result.Action);
                }
                catch (ClientRequestException ex)
                {
                    return CallToolResult.Error($"{ex.Failure}: {ex.Message}");
                }
            })
            .Tool("elicit-form", async (_, ctx) =>
            {
                var schema = JObject.Parse("""{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}""");
                var result = await ctx.Client.ElicitAsync(ElicitParams.Form("Your name?", schema), ctx.CancellationToken);
                return CallToolResult.Text($"{result.Action}:{result.Content?["name"]}");
            })
            .Tool("roots", async (_, ctx) =>
            {
                var roots = await ctx.Client.ListRootsAsync(ctx.CancellationToken);
                return CallToolResult.Text(string.Join(",", roots.Roots.Select(r => r.Uri)));
            })
            .Tool("ping-client", async (_, ctx) =>
            {
                await ctx.Client.PingAsync(ctx.CancellationToken);
                return CallToolResult.Text("pong");
            })
            .Tool("log", (_, ctx) =>
            {
                ctx.Logger.LogInformation("informational {N}", 1);
                ctx.Logger.LogError("an error {N}", 2);
                return Task.FromResult(CallToolResult.Text("logged"));
            })
            .Tool("pace", (_, ctx) =>
            {
                for (var i = 1; i <= 5; i++) ctx.Progress.Report(i, 5);
                return Task.FromResult(CallToolResult.Text("paced"));
            })
            .Tool("hang", async (_, ctx) =>
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, ctx.CancellationToken);
                }
                catch (OperationCanceledException)
                {
                    _hangCancelled.TrySetResult();
                    throw;
                }
                return CallToolResult.Text("never");
            })
            .Tool(new McpToolDefinition("quick-timeout", McpToolDefinition.EmptyInputSchema(), async (_, ctx) =>
            {
                await Task.Delay(Timeout.Infinite, ctx.CancellationToken);
                return CallToolResult.Text("never");
            })
            {
                Timeout = TimeSpan.FromMilliseconds(200),
                Annotations = new ToolAnnotations { ReadOnlyHint = true, IdempotentHint = true },
                OutputSchema = JObject.Parse("""{"type":"object","properties":{"x":{"type":"number"}}}"""),
                Icons = [new Icon("https://example.test/icon.png") { MimeType = "image/png" }],
                Title = "Times out quickly",
            })
            .Build();
        var tools = Pmcp.Actors.Messages.ToolCatalog.Create(definition.Tools, NullLoggerFactory.Instance);
        _router = Sys.ActorOf(ToolRouterActor.Props(definition, options, NullLoggerFactory.Instance, catalog: tools), "pmcp-tools");
        _server = Sys.ActorOf(McpServerActor.Props(definition, options, _router, inProcessTools: tools), "pmcp");
    }

    private async Task OpenAsync(object capabilities, string version = "2025-11-25", bool sendInitialized = true)
    {
        await OpenThroughAsync(_server);
        await InitializeAsync(capabilities, version, sendInitialized);
    }

    private void Call(object id, string tool, object? args = null) => Request(id, "tools/call", new { name = tool, arguments = args ?? new { } });

    private static string Text(JObject result) => (string)result["content"]![0]!["text"]!;

    [Fact]
    public async Task Sampling_FromATool_ReachesTheClient_AndItsAnswerReachesTheTool()
    {
        await OpenAsync(new { sampling = new { } });
        Call(1, "sample", new { prompt = "Say hi" });
        var request = await NextAsync();
        Assert.Equal("sampling/createMessage", (string)request["method"]!);
        Assert.Equal("Say hi", (string)request["params"]!["messages"]![0]!["content"]!["text"]!);
        Assert.Equal(50, (int)request["params"]!["maxTokens"]!);

        Send(new JObject
        {
            ["jsonrpc"] = "2.0",
            ["id"] = request["id"],
            ["result"] = JObject.Parse("""{"role":"assistant","content":{"type":"text","text":"hi!"},"model":"test-model"}"""),
        });
        Assert.Equal("model test-model said: hi!", Text(await ResultAsync(1)));
    }

    [Fact]
    public async Task Sampling_IsRefused_WhenClientDidNotDeclareIt()
    {
        await OpenAsync(new { });
        Call(1, "sample", new { prompt = "x" });
        var result = await ResultAsync(1);
        Assert.True((bool)result["isError"]!);
        Assert.StartsWith("NotSupported", Text(result));
    }

    [Fact]
    public async Task Sampling_ErrorFromClient_ReachesTheTool()
    {
        await OpenAsync(new { sampling = new { } });
        Call(1, "sample", new { prompt = "x" });
        var request = await NextAsync();
        Send(new JObject { ["jsonrpc"] = "2.0", ["id"] = request["id"], ["error"] = new JObject { ["code"] = -1, ["message"] = "user rejected" } });
        var result = await ResultAsync(1);
        Assert.Contains("ErrorResponse", Text(result));
        Assert.Contains("user rejected", Text(result));
    }

    [Fact]
    public async Task ClientRequest_TimesOut_AndIsCancelledAtTheClient()
    {
        await OpenAsync(new { sampling = new { } });
        Call(1, "sample", new { prompt = "x" });
        var request = await NextAsync();
        var cancelled = await NextAsync();
        Assert.Equal("notifications/cancelled", (string)cancelled["method"]!);
        Assert.Equal(request["id"], cancelled["params"]!["requestId"]);
        Assert.StartsWith("Timeout", Text(await ResultAsync(1)));
    }

    [Fact]
    public async Task ClientRequest_IsCancelledAtTheClient_WhenTheCallIsCancelled()
    {
        await OpenAsync(new { sampling = new { } });
        Call("c", "sample", new { prompt = "x" });
        var request = await NextAsync();
        Send(new JObject { ["jsonrpc"] = "2.0", ["method"] = "notifications/cancelled", ["params"] = new JObject { ["requestId"] = "c" } });
        var cancelled = await NextAsync();
        Assert.Equal("notifications/cancelled", (string)cancelled["method"]!);
        Assert.Equal(request["id"], cancelled["params"]!["requestId"]);
    }

    [Fact]
    public async Task ElicitationUrlMode_NeedsTheUrlCapability()
    {
        await OpenAsync(new { elicitation = new { form = new { } } });
        Call(1, "elicit-url");
        Assert.StartsWith("NotSupported", Text(await ResultAsync(1)));
    }

    [Fact]
    public async Task ElicitationFormMode_RoundTrips()
    {
        await OpenAsync(new { elicitation = new { } });
        Call(1, "elicit-form");
        var request = await NextAsync();
        Assert.Equal("elicitation/create", (string)request["method"]!);
        Assert.Equal("form", (string)request["params"]!["mode"]!);
        Send(new JObject { ["jsonrpc"] = "2.0", ["id"] = request["id"], ["result"] = JObject.Parse("""{"action":"accept","content":{"name":"Ada"}}""") });
        Assert.Equal("accept:Ada", Text(await ResultAsync(1)));
    }

    [Fact]
    public async Task Elicitation_IsRefused_ForRevisionsBeforeIt()
    {
        await OpenAsync(new { elicitation = new { } }, version: "2025-03-26");
        Call(1, "elicit-form");
        var result = await ResultAsync(1);
        Assert.True((bool)result["isError"]!);
    }

    [Fact]
    public async Task RootsAndPing_RoundTrip()
    {
        await OpenAsync(new { roots = new { listChanged = true } });
        Call(1, "roots");
        var request = await NextAsync();
        Assert.Equal("roots/list", (string)request["method"]!);
        Send(new JObject { ["jsonrpc"] = "2.0", ["id"] = request["id"], ["result"] = JObject.Parse("""{"roots":[{"uri":"file:///a"},{"uri":"file:///b"}]}""") });
        Assert.Equal("file:///a,file:///b", Text(await ResultAsync(1)));

        Call(2, "ping-client");
        var ping = await NextAsync();
        Assert.Equal("ping", (string)ping["method"]!);
        Send(new JObject { ["jsonrpc"] = "2.0", ["id"] = ping["id"], ["result"] = new JObject() });
        Assert.Equal("pong", Text(await ResultAsync(2)));
    }

    [Fact]
    public async Task ClientRequest_BeforeInitializedNotification_IsRefused()
    {
        await OpenAsync(new { roots = new { } }, sendInitialized: false);
        Call(1, "roots");
        var result = await ResultAsync(1);
        Assert.True((bool)result["isError"]!);
    }

    [Fact]
    public async Task ToolLogs_ReachTheClient_AtOrAboveTheSessionLevel()
    {
        await OpenAsync(new { });
        Call(1, "log");
        var info = await NextAsync();
        Assert.Equal("notifications/message", (string)info["method"]!);
        Assert.Equal("info", (string)info["params"]!["level"]!);
        Assert.Equal("log", (string)info["params"]!["logger"]!);
        Assert.Equal("informational 1", (string)info["params"]!["data"]!);
        Assert.Equal("error", (string)(await NextAsync())["params"]!["level"]!);
        await ResultAsync(1);

        Request(2, "logging/setLevel", new { level = "error" });
        Assert.Empty(await ResultAsync(2));
        Call(3, "log");
        Assert.Equal("error", (string)(await NextAsync())["params"]!["level"]!);
        await ResultAsync(3);
    }

    [Fact]
    public async Task SetLevel_RejectsUnknownLevels()
    {
        await OpenAsync(new { });
        Request(1, "logging/setLevel", new { level = "verbose" });
        Assert.Equal(JsonRpcErrorCodes.InvalidParams, (int)(await NextAsync())["error"]!["code"]!);
    }

    [Fact]
    public async Task ServerLogs_ReachEverySessionAtItsLevel()
    {
        await OpenAsync(new { });
        _server.Tell(new McpServerProtocol.BroadcastLog("warning", "server", "\"disk almost full\""));
        var note = await NextAsync();
        Assert.Equal("disk almost full", (string)note["params"]!["data"]!);
        _server.Tell(new McpServerProtocol.BroadcastLog("debug", "server", "\"noise\""));
        Request(5, "ping");
        await ResultAsync(5);
    }

    [Fact]
    public async Task Progress_IsPaced_ButTheFinalValueAlwaysGoes()
    {
        await OpenAsync(new { });
        Request(1, "tools/call", new { name = "pace", _meta = new { progressToken = 9 } });
        Assert.Equal(1, (double)(await NextAsync())["params"]!["progress"]!);
        Assert.Equal(5, (double)(await NextAsync())["params"]!["progress"]!);
        Assert.Equal("paced", Text(await ResultAsync(1)));
    }

    [Fact]
    public async Task ToolTimeout_CancelsTheCall_AndAnswersIsError()
    {
        await OpenAsync(new { });
        Call(1, "quick-timeout");
        var result = await ResultAsync(1);
        Assert.True((bool)result["isError"]!);
        Assert.Contains("timed out", Text(result));
    }

    [Fact]
    public async Task ToolsList_ShowsTitleAnnotationsOutputSchemaAndIcons()
    {
        await OpenAsync(new { });
        Request(1, "tools/list");
        var tool = ((JArray)(await ResultAsync(1))["tools"]!).Single(t => (string)t["name"]! == "quick-timeout");
        Assert.Equal("Times out quickly", (string)tool["title"]!);
        Assert.True((bool)tool["annotations"]!["readOnlyHint"]!);
        Assert.Equal("object", (string)tool["outputSchema"]!["type"]!);
        Assert.Equal("image/png", (string)tool["icons"]![0]!["mimeType"]!);
    }

    [Fact]
    public async Task AddingATool_TellsInitializedSessions_AndListsIt()
    {
        await OpenAsync(new { });
        var lateSocket = CreateTestProbe();
        _server.Tell(new McpServerProtocol.OpenConnection(new ProbeOutlet(lateSocket), "uninitialized"));
        await ExpectMsgAsync<McpServerProtocol.ConnectionOpened>(Wait);

        var added = await _router.Ask<ToolRouterProtocol.ToolsUpdated>(
            new ToolRouterProtocol.AddTool(new McpToolDefinition("fresh", McpToolDefinition.EmptyInputSchema(), (_, _) => Task.FromResult(CallToolResult.Text("new")))), Wait);
        Assert.True(added.Changed);
        Assert.Equal("notifications/tools/list_changed", (string)(await NextAsync())["method"]!);

        Request(1, "tools/list");
        Assert.Contains("fresh", ((JArray)(await ResultAsync(1))["tools"]!).Select(t => (string)t["name"]!));
        Call(2, "fresh");
        Assert.Equal("new", Text(await ResultAsync(2)));

        Assert.True((await _router.Ask<ToolRouterProtocol.ToolsUpdated>(new ToolRouterProtocol.RemoveTool("fresh"), Wait)).Changed);
        Assert.Equal("notifications/tools/list_changed", (string)(await NextAsync())["method"]!);
        Assert.False((await _router.Ask<ToolRouterProtocol.ToolsUpdated>(new ToolRouterProtocol.RemoveTool("fresh"), Wait)).Changed);
        await lateSocket.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task ListChanges_BetweenTheInitializeAnswerAndInitialized_AreToldOnceTheClientIsInitialized()
    {
        await OpenAsync(new { }, sendInitialized: false);
        Connection.Tell(new ConnectionProtocol.ListChanged("tools"));
        Connection.Tell(new ConnectionProtocol.ListChanged("prompts"));
        Connection.Tell(new ConnectionProtocol.ListChanged("tools"));
        Send(new JObject { ["jsonrpc"] = "2.0", ["method"] = "notifications/initialized" });
        Request(1, "ping");

        // One notification per list that changed, then the answer to the ping: nothing was lost or repeated.
        var told = new[] { (string)(await NextAsync())["method"]!, (string)(await NextAsync())["method"]! };
        Assert.Equal(["notifications/prompts/list_changed", "notifications/tools/list_changed"], told.Order(StringComparer.Ordinal));
        Assert.Equal(1, (int)(await NextAsync())["id"]!);
    }

    [Fact]
    public async Task AddingAToolWithABadName_Fails()
    {
        var bad = new McpToolDefinition("has space", McpToolDefinition.EmptyInputSchema(), (_, _) => Task.FromResult(CallToolResult.Text("")));
        await Assert.ThrowsAsync<ArgumentException>(() => _router.Ask<ToolRouterProtocol.ToolsUpdated>(new ToolRouterProtocol.AddTool(bad), Wait));
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("comma,name")]
    [InlineData("ünïcode")]
    public void Builder_RejectsToolNamesOutsideTheSpecsRule(string name) =>
        Assert.Throws<ArgumentException>(() => new McpServerBuilder().Tool(name, (_, _) => Task.FromResult(CallToolResult.Text(""))));

    [Fact]
    public void Builder_AcceptsA128CharacterName() =>
        new McpServerBuilder().Tool(new string('a', 128) , (_, _) => Task.FromResult(CallToolResult.Text(""))).Build();

    [Fact]
    public async Task Connection_Closing_FailsPendingClientRequests()
    {
        await OpenAsync(new { sampling = new { } });
        Call(1, "sample", new { prompt = "x" });
        await NextAsync();
        Connection.Tell(ConnectionProtocol.Drain.Instance);
        Connection.Tell(ConnectionProtocol.DrainDeadline.Instance);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, (await Socket.ExpectMsgAsync<ProbeOutlet.Closed>(Wait)).Status);
        // Whichever reaches the tool first, the failed request or the cancelled call, it is not left waiting.
        Assert.Contains(await _sampleEnded.Task.WaitAsync(Wait), new[] { "ConnectionClosed", "cancelled" });
    }
}
