using Newtonsoft.Json.Linq;
using Pmcp.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Era2026;

/// <summary>
/// 2026-07-28 over WebSocket, on real sockets: a socket that never sends initialize carries self-describing requests,
/// each judged by its own <c>_meta</c>; one that starts with initialize is the 2025 session it always was.
/// </summary>
public sealed class ModernWebSocketTests(ITestOutputHelper output)
{
    [Fact]
    public async Task SocketWithoutInitialize_ServesSelfDescribingRequests_ByDefault()
    {
        await using var server = await TestServer.StartAsync(output: output);
        await using var client = await server.ConnectAsync(initialize: false);

        var discover = await client.RequestAsync("server/discover", ModernRequests.Params());
        var echo = await client.RequestAsync("tools/call", ModernRequests.Params(new JObject { ["name"] = "echo", ["arguments"] = new JObject { ["text"] = "ws" } }));

        Assert.Contains("2026-07-28", discover.EnsureSuccess().Result!["supportedVersions"]!.Values<string>());
        Assert.Equal("ws", echo.EnsureSuccess().ToolText());
        Assert.Equal("complete", (string?)echo.Result!["resultType"]);
    }

    [Fact]
    public async Task WithTheEraOff_DiscoveryIsRefusedAsA2025ServerWould_SoDualEraClientsFallBackToInitialize()
    {
        await using var server = await TestServer.StartAsync(configureOptions: o => o.ServeStatelessEra = false, output: output);
        await using var client = await server.ConnectAsync(initialize: false);

        var discover = await client.RequestAsync("server/discover", ModernRequests.Params());
        var init = await client.InitializeAsync();

        Assert.Equal(-32600, discover.ErrorCode);
        Assert.Equal(McpTestClient.LatestProtocolVersion, (string?)init.EnsureSuccess().Result!["protocolVersion"]);
    }

    [Fact]
    public async Task OnAModernSocket_EachRequestNeedsItsOwnMeta_AndInitializeOrPingAreUnknown()
    {
        await using var server = await TestServer.StartAsync(configureOptions: o => o.ServeStatelessEra = true, output: output);
        await using var client = await server.ConnectAsync(initialize: false);
        await client.RequestAsync("server/discover", ModernRequests.Params());

        var bare = await client.RequestAsync("tools/list");
        var initialize = await client.RequestAsync("initialize", ModernRequests.Params(new JObject
        {
            ["protocolVersion"] = "2025-11-25", ["capabilities"] = new JObject(), ["clientInfo"] = new JObject { ["name"] = "t", ["version"] = "1" },
        }));
        var ping = await client.RequestAsync("ping", ModernRequests.Params());
        var unknownVersion = await client.RequestAsync("tools/list", ModernRequests.Params(meta: ModernRequests.Meta(version: "2030-01-01")));

        Assert.Equal(-32602, bare.ErrorCode);
        Assert.Equal(-32601, initialize.ErrorCode);
        Assert.Equal(-32601, ping.ErrorCode);
        Assert.Equal(-32022, unknownVersion.ErrorCode);
        Assert.Equal("2030-01-01", (string?)unknownVersion.Error!["data"]!["requested"]);
    }

    [Fact]
    public async Task LogMessages_GoOnlyToARequestThatAskedForALevel()
    {
        await using var server = await TestServer.StartAsync(
            configureServer: mcp => mcp.Tool("chatty", (_, ctx) =>
            {
                ctx.Client.Log("info", "working", "chatty");
                return Task.FromResult(Pmcp.Protocol.CallToolResult.Text("done"));
            }), configureOptions: o => o.ServeStatelessEra = true, output: output);
        await using var client = await server.ConnectAsync(initialize: false);

        await client.RequestAsync("tools/call", ModernRequests.Params(new JObject { ["name"] = "chatty" }));
        await client.RequestAsync("tools/call", ModernRequests.Params(new JObject { ["name"] = "chatty" }, ModernRequests.Meta(logLevel: "info")));

        var logs = client.Received.Where(m => m.Method == "notifications/message").ToList();
        Assert.Single(logs);
        Assert.Equal("working", (string?)logs[0].Params!["data"]);
    }

    [Fact]
    public async Task SocketThatStartsWithInitialize_IsA2025Session_WhoseResultsAreUnchanged()
    {
        await using var server = await TestServer.StartAsync(configureOptions: o => o.ServeStatelessEra = true, output: output);
        await using var client = await server.ConnectAsync(initialize: true);

        var echo = await client.CallToolAsync("echo", new { text = "old" });
        var discover = await client.RequestAsync("server/discover", ModernRequests.Params());

        Assert.Equal("old", echo.ToolText());
        Assert.Null(echo.Result!["resultType"]);
        Assert.Equal(-32601, discover.ErrorCode);
    }

    [Fact]
    public async Task ToolThatSamples_IsAnsweredInputRequiredOnAModernSocket_AndTheRetryCompletesIt()
    {
        await using var server = await TestServer.StartAsync(
            configureServer: mcp => mcp.Tool("ask", async (_, ctx) =>
            {
                var answer = await ctx.Client.SampleAsync(new Pmcp.Protocol.CreateMessageParams(
                    [new Pmcp.Protocol.SamplingMessage("user", new Pmcp.Protocol.TextContent("2+2?"))], 10), ctx.CancellationToken);
                return Pmcp.Protocol.CallToolResult.Text("model says " + ((Pmcp.Protocol.TextContent)answer.Content).Text);
            }), configureOptions: o => o.ServeStatelessEra = true, output: output);
        await using var client = await server.ConnectAsync(initialize: false);
        var meta = ModernRequests.Meta(JObject.Parse("""{"sampling":{}}"""));

        var first = await client.RequestAsync("tools/call", ModernRequests.Params(new JObject { ["name"] = "ask" }, meta));
        var retry = await client.RequestAsync("tools/call", ModernRequests.Params(new JObject
        {
            ["name"] = "ask",
            ["inputResponses"] = new JObject { ["sampling-1"] = JObject.Parse("""{"role":"assistant","content":{"type":"text","text":"4"},"model":"m"}""") },
            ["requestState"] = first.Result!["requestState"],
        }, meta));

        Assert.Equal("input_required", (string?)first.EnsureSuccess().Result!["resultType"]);
        Assert.Equal("sampling/createMessage", (string?)first.Result!["inputRequests"]!["sampling-1"]!["method"]);
        Assert.DoesNotContain(client.Received, m => m.Method == "sampling/createMessage"); // no server→client request in 2026
        Assert.Equal("model says 4", retry.EnsureSuccess().ToolText());
        Assert.Equal("complete", (string?)retry.Result!["resultType"]);
    }
}
