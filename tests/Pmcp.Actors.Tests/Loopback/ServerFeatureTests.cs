using Microsoft.Extensions.DependencyInjection;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Hosting;
using Pmcp.Actors.Server;
using Pmcp.Actors.Tests.Support;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;

namespace Pmcp.Actors.Tests.Loopback;

/// <summary>The full server surface over real sockets, with the standalone server's demo set.</summary>
public sealed class ServerFeatureTests
{
    private static Task<TestServer> StartAsync() => TestServer.StartAsync(mcp => mcp.AddDemoFeatures());

    private static async Task<McpTestClient> ConnectWithCapabilitiesAsync(TestServer server, JObject capabilities, string version = "2025-11-25")
    {
        var client = await server.ConnectAsync(initialize: false);
        (await client.RequestAsync("initialize", new JObject
        {
            ["protocolVersion"] = version,
            ["capabilities"] = capabilities,
            ["clientInfo"] = new JObject { ["name"] = "feature-tests", ["version"] = "1" },
        })).EnsureSuccess();
        await client.NotifyAsync("notifications/initialized");
        return client;
    }

    [Fact]
    public async Task Tool_AsksTheClientForSampling_OverTheSocket_AndGetsTheAnswer()
    {
        await using var server = await StartAsync();
        await using var client = await ConnectWithCapabilitiesAsync(server, new JObject { ["sampling"] = new JObject() });

        var call = await client.StartToolCallAsync("ask-model", new { question = "What is 2+2?" });
        var request = await client.ReadNotificationAsync();
        Assert.Equal("sampling/createMessage", request.Method);
        Assert.Equal("What is 2+2?", (string)request.Params!["messages"]![0]!["content"]!["text"]!);

        await client.SendTextAsync(new JObject
        {
            ["jsonrpc"] = "2.0",
            ["id"] = request.Id,
            ["result"] = JObject.Parse("""{"role":"assistant","content":{"type":"text","text":"4"},"model":"loopback-model","stopReason":"endTurn"}"""),
        }.ToString(Newtonsoft.Json.Formatting.None));
        Assert.Equal("4", (await call.ResponseAsync()).ToolText());
    }

    [Fact]
    public async Task Tool_AsksTheUserThroughElicitation_OverTheSocket()
    {
        await using var server = await StartAsync();
        await using var client = await ConnectWithCapabilitiesAsync(server, new JObject { ["elicitation"] = new JObject { ["form"] = new JObject() } });

        var call = await client.StartToolCallAsync("ask-user", new { question = "Favourite colour?" });
        var request = await client.ReadNotificationAsync();
        Assert.Equal("elicitation/create", request.Method);
        Assert.Equal("Favourite colour?", (string)request.Params!["message"]!);
        await client.SendTextAsync(new JObject
        {
            ["jsonrpc"] = "2.0",
            ["id"] = request.Id,
            ["result"] = JObject.Parse("""{"action":"accept","content":{"answer":"teal"}}"""),
        }.ToString(Newtonsoft.Json.Formatting.None));
        Assert.Equal("The user answered: teal", (await call.ResponseAsync()).ToolText());
    }

    [Fact]
    public async Task Tool_WithoutTheClientsCapability_AnswersIsError_WithoutAsking()
    {
        await using var server = await StartAsync();
        await using var client = await server.ConnectAsync();
        var result = await client.CallToolAsync("ask-model", new { question = "x" });
        Assert.True(result.IsToolError);
        Assert.Contains("sampling capability", result.FirstText);
    }

    [Fact]
    public async Task ListChanged_ReachesFiftyConnectedSessions()
    {
        await using var server = await StartAsync();
        // Connected one after another: the point is fifty sessions hearing one change, not fifty handshakes at once
        // (which, on a loaded 2-core machine, once kept an initialize unanswered past its deadline).
        var clients = new List<McpTestClient>();
        try
        {
            for (var i = 0; i < 50; i++) clients.Add(await server.ConnectAsync());
            var runtime = server.App.Services.GetRequiredService<McpServerRuntime>();
            await runtime.AddToolAsync(new McpToolDefinition("late-tool", McpToolDefinition.EmptyInputSchema(), (_, _) => Task.FromResult(CallToolResult.Text("late"))));

            var notes = await Task.WhenAll(clients.Select(c => c.ReadNotificationAsync()));
            Assert.All(notes, n => Assert.Equal("notifications/tools/list_changed", n.Method));
            Assert.Equal("late", (await clients[49].CallToolAsync("late-tool")).ToolText());
        }
        finally
        {
            foreach (var c in clients) await c.DisposeAsync();
        }
    }

    [Fact]
    public async Task DemoResourcesPromptsAndCompletion_WorkOverTheSocket()
    {
        await using var server = await StartAsync();
        await using var client = await server.ConnectAsync();

        var resources = (await client.RequestAsync("resources/list")).EnsureSuccess().Result!;
        Assert.Equal("demo://readme", (string)resources["resources"]![0]!["uri"]!);
        var square = (await client.RequestAsync("resources/read", new JObject { ["uri"] = "demo://squares/12" })).EnsureSuccess().Result!;
        Assert.Equal("12 squared is 144", (string)square["contents"]![0]!["text"]!);
        Assert.Equal(JsonRpcErrorCodes.ResourceNotFound, (await client.RequestAsync("resources/read", new JObject { ["uri"] = "demo://squares/x" })).ErrorCode);

        var prompt = (await client.RequestAsync("prompts/get", new JObject
        {
            ["name"] = "summarize",
            ["arguments"] = new JObject { ["topic"] = "actors", ["style"] = "detailed" },
        })).EnsureSuccess().Result!;
        Assert.Equal("Summarize what you know about actors in a detailed style.", (string)prompt["messages"]![0]!["content"]!["text"]!);

        var completion = (await client.RequestAsync("completion/complete", new JObject
        {
            ["ref"] = new JObject { ["type"] = "ref/prompt", ["name"] = "summarize" },
            ["argument"] = new JObject { ["name"] = "style", ["value"] = "b" },
        })).EnsureSuccess().Result!;
        Assert.Equal(["brief", "bullet-points"], completion["completion"]!["values"]!.Select(v => (string)v!));

        var stats = (await client.CallToolAsync("stats", new { numbers = new[] { 1, 2, 3, 6 } })).EnsureSuccess().Result!;
        Assert.Equal(12, (double)stats["structuredContent"]!["sum"]!);
        Assert.Equal(3, (double)stats["structuredContent"]!["mean"]!);
    }

    [Fact]
    public async Task Subscription_GetsResourceUpdates_OverTheSocket()
    {
        await using var server = await StartAsync();
        await using var client = await server.ConnectAsync();
        (await client.RequestAsync("resources/subscribe", new JObject { ["uri"] = "demo://readme" })).EnsureSuccess();
        await server.App.Services.GetRequiredService<McpServerRuntime>().NotifyResourceUpdatedAsync("demo://readme");
        var note = await client.ReadNotificationAsync();
        Assert.Equal("notifications/resources/updated", note.Method);
        Assert.Equal("demo://readme", (string)note.Params!["uri"]!);
    }

    [Fact]
    public async Task Batch_InA2025_03_26Session_IsAnsweredAsOneArrayFrame()
    {
        await using var server = await StartAsync();
        await using var client = await ConnectWithCapabilitiesAsync(server, new JObject(), version: "2025-03-26");
        await client.SendTextAsync("""[{"jsonrpc":"2.0","id":"a","method":"ping"},{"jsonrpc":"2.0","id":"b","method":"tools/call","params":{"name":"echo","arguments":{"text":"batched"}}}]""");
        var frame = await client.ReadUnmatchedAsync();
        var answers = JArray.Parse(frame.Raw);
        Assert.Equal(["a", "b"], answers.Select(a => (string)a["id"]!).Order());
        Assert.Equal("batched", (string)answers.Single(a => (string)a["id"]! == "b")["result"]!["content"]![0]!["text"]!);
    }
}
