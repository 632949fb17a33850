using Akka.Actor;
using Microsoft.Extensions.Logging;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.TestKit;
using Pmcp.Actors.Tools;
using Pmcp.Client;
using Pmcp.Protocol;
using Xunit;
using Xunit.Abstractions;

namespace Pmcp.Actors.TestKit.Tests;

/// <summary>
/// What a tool author gets from <see cref="McpServerTestKit"/> besides a client: the model, the user, progress, logs,
/// errors, Sys. The same tests run over each transport the kit offers (the classes at the end).
/// </summary>
public abstract class TestKitFeatureTests : McpServerTestKit
{
    private static readonly JObject NoArguments = JObject.Parse("""{"type":"object"}""");

    // A back end the server's tools talk to, as an app's tools talk to its actors: a probe in the test kit's own Sys.
    private readonly Akka.TestKit.TestProbe _backend;

    protected TestKitFeatureTests(ITestOutputHelper output)
        : base(output)
    {
        _backend = CreateTestProbe("backend");
    }

    // Every progress update goes out (the server's default sends at most one per 100 ms, and always the last).
    protected override void ConfigureOptions(McpServerOptions options) => options.ProgressInterval = TimeSpan.Zero;

    protected override void ConfigureServer(McpServerBuilder server) => server
        .Tool("ask-model", async (args, ctx) =>
        {
            var answer = await ctx.Client.SampleAsync(new CreateMessageParams([new SamplingMessage("user", new TextContent((string)args["question"]!))], 100), ctx.CancellationToken);
            return CallToolResult.Text(((TextContent)answer.Content).Text);
        })
        .Tool("ask-user", async (args, ctx) =>
        {
            var schema = JObject.Parse("""{"type":"object","properties":{"color":{"type":"string"}}}""");
            var answer = await ctx.Client.ElicitAsync(ElicitParams.Form("Favourite colour?", schema), ctx.CancellationToken);
            return CallToolResult.Text(answer.Action == "accept" ? (string)answer.Content!["color"]! : answer.Action);
        })
        .Tool("count", (args, ctx) =>
        {
            for (var i = 1; i <= 3; i++) ctx.Progress.Report(i, 3, $"{i} of 3");
            ctx.Logger.LogWarning("counted to {N}", 3);
            return Task.FromResult(CallToolResult.Text("3"));
        }, inputSchema: NoArguments)
        .Tool("ask-actor", async (args, ctx) =>
        {
            var answer = await _backend.Ref.Ask<string>((string)args["say"]!, TimeSpan.FromSeconds(30), ctx.CancellationToken);
            return CallToolResult.Text(answer);
        });

    [Fact]
    public async Task Client_UsesTheTransportTheClassChose()
    {
        var client = await ConnectAsync();
        var expected = Transport switch
        {
            McpTestTransport.InMemory => typeof(InMemoryTransport),
            McpTestTransport.WebSocket => typeof(WebSocketTransport),
            _ => typeof(StreamableHttpTransport),
        };
        Assert.IsType(expected, client.Transport);
    }

    [Fact]
    public async Task AnswerSamplingWith_StandsInForTheModel()
    {
        var client = await ConnectAsync(new ClientCapabilities { Sampling = new JObject() });
        var asked = client.AnswerSamplingWith("forty-two");

        McpAssert.Text("forty-two", await client.CallToolAsync("ask-model", new JObject { ["question"] = "meaning of life?" }));
        Assert.Equal("meaning of life?", ((TextContent)Assert.Single(asked).Messages[0].Content).Text);
    }

    [Fact]
    public async Task AnswerElicitationWith_StandsInForTheUser()
    {
        var client = await ConnectAsync(new ClientCapabilities { Elicitation = new JObject() });
        client.AnswerElicitationWith(new JObject { ["color"] = "teal" });
        McpAssert.Text("teal", await client.CallToolAsync("ask-user"));

        client.DeclineElicitation();
        McpAssert.Text("decline", await client.CallToolAsync("ask-user"));
    }

    [Fact]
    public async Task ProgressRecorder_AndRecordLogs_SeeWhatTheToolReported()
    {
        var client = await ConnectAsync();
        // 2026-07-28 sends log messages only to a request that names a level (2025: the session's default, info).
        await client.SetLoggingLevelAsync("info");
        var logs = client.RecordLogs();
        var progress = new ProgressRecorder();

        McpAssert.Text("3", await client.CallToolAsync("count", progress: progress));

        Assert.Equal([1.0, 2.0, 3.0], progress.Updates.Select(p => p.Progress));
        Assert.Contains(logs, log => (log.Data?.ToString() ?? "").Contains("counted to 3", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ToolsRunBesideTheTestsOwnActors_InSys()
    {
        var client = await ConnectAsync();
        var call = client.CallToolAsync("ask-actor", new JObject { ["say"] = "ping" });

        await _backend.ExpectMsgAsync("ping");
        _backend.Reply("pong");
        McpAssert.Text("pong", await call);
    }

    [Fact]
    public async Task UnknownTool_IsAJsonRpcError()
    {
        var client = await ConnectAsync();
        await McpAssert.JsonRpcErrorAsync(JsonRpcErrorCodes.InvalidParams, () => client.CallToolAsync("no-such-tool"));
    }

    [Fact]
    public async Task ToolsAddedAtRunTime_AreCallable()
    {
        var client = await ConnectAsync();
        var server = await ServerAsync();
        await server.AddToolAsync(new McpToolDefinition("late", NoArguments, (_, _) => Task.FromResult(CallToolResult.Text("here"))));

        McpAssert.Text("here", await client.CallToolAsync("late"));
    }
}

public sealed class TestKitFeaturesInMemory(ITestOutputHelper output) : TestKitFeatureTests(output)
{
    protected override McpTestTransport Transport => McpTestTransport.InMemory;
}

public sealed class TestKitFeaturesOverWebSocket(ITestOutputHelper output) : TestKitFeatureTests(output)
{
    protected override McpTestTransport Transport => McpTestTransport.WebSocket;
}

public sealed class TestKitFeaturesOverStreamableHttp(ITestOutputHelper output) : TestKitFeatureTests(output)
{
    protected override McpTestTransport Transport => McpTestTransport.StreamableHttp;
}
