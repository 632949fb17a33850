using System.Net;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Tests.Era2026;
using Pmcp.Actors.Tests.Support;
using Pmcp.Actors.Tests.Tasks;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Loopback;

/// <summary>
/// Tools made with <see cref="McpToolDefinition.ForArguments"/> read their arguments as the client sent them, over every
/// transport and era, and as a task: what a client sees is what a tool taking a JObject would give it.
/// </summary>
public sealed class ArgumentsToolTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _data = new();

    public void Dispose() => _data.Dispose();

    private sealed record Order(string Item, int Count, string[] Notes);

    private Task<TestServer> StartAsync() => TestServer.StartAsync(
        mcp => mcp
            .Tool(McpToolDefinition.ForArguments("shout", McpToolDefinition.EmptyInputSchema(), (args, _) =>
                Task.FromResult(args.TryGetString("text", out var text) ? CallToolResult.Text(text.ToUpperInvariant()) : CallToolResult.Error("Argument 'text' is required."))))
            .Tool(McpToolDefinition.ForArguments("order", McpToolDefinition.EmptyInputSchema(), (args, _) =>
            {
                var order = args.Deserialize<Order>()!;
                return Task.FromResult(CallToolResult.Text($"{order.Count} × {order.Item} ({string.Join("; ", order.Notes)})"));
            })),
        o => o.ServeStatelessEra = true,
        output);

    [Fact]
    public async Task OverWebSocket_TheToolReadsStringsAndTypedObjects_AsSent()
    {
        await using var server = await StartAsync();
        await using var client = await server.ConnectAsync();

        var shout = await client.CallToolAsync("shout", new { text = "héllo \"wörld\"\n漢字 😀" });
        var order = await client.CallToolAsync("order", new { item = "tea", count = 2, notes = new[] { "hot", "no sugar" } });
        var missing = await client.CallToolAsync("shout");
        var wrongType = await client.CallToolAsync("shout", new { text = 5 });
        var echo = await client.CallToolAsync("echo", new { text = "the demo echo reads its bytes too" });

        Assert.Equal("HÉLLO \"WÖRLD\"\n漢字 😀", shout.ToolText());
        Assert.Equal("2 × tea (hot; no sugar)", order.ToolText());
        Assert.True(missing.IsToolError);
        Assert.True(wrongType.IsToolError);
        Assert.Equal("the demo echo reads its bytes too", echo.ToolText());
    }

    [Fact]
    public async Task OverStreamableHttp_BothEras_TheToolReadsTheBody()
    {
        await using var server = await StartAsync();
        await using var session = new McpHttpTestClient(server.McpHttpUri);
        await session.InitializeAsync();
        var inSession = await session.CallToolAsync("shout", new { text = "session" });

        await using var stateless = new McpHttpTestClient(server.McpHttpUri);
        var call = ModernRequests.Params(new JObject { ["name"] = "shout", ["arguments"] = new JObject { ["text"] = "stateless" } });
        var (status, body, _) = await ModernHttp.SendAsync(stateless, ModernHttp.Post(stateless, 3, "tools/call", call, nameHeader: "shout"));

        Assert.Equal("SESSION", inSession.ToolText());
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("STATELESS", (string?)body["result"]!["content"]![0]!["text"]);
    }

    [Fact]
    public async Task AsATask_TheToolReadsTheArgumentsTheTaskKept()
    {
        await using var server = await TaskServers.StartAsync(_data.Path, output);
        await using var client = await server.ConnectAsync();

        var created = (await client.RequestAsync("tools/call",
            new JObject { ["name"] = "upper", ["arguments"] = new JObject { ["text"] = "kept by the task" }, ["task"] = new JObject() }, TaskServers.Slow)).EnsureSuccess();
        var taskId = (string)created.Result!["task"]!["taskId"]!;
        var result = await client.RequestAsync("tasks/result", new JObject { ["taskId"] = taskId }, TaskServers.Slow);

        Assert.Equal("KEPT BY THE TASK", result.ToolText());
    }
}
