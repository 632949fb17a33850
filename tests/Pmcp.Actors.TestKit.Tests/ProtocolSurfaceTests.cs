using Newtonsoft.Json.Linq;
using Pmcp.Actors.Server;
using Pmcp.Actors.TestKit;
using Pmcp.Actors.Tools;
using Pmcp.Client;
using Pmcp.Protocol;
using Xunit;
using Xunit.Abstractions;

namespace Pmcp.Actors.TestKit.Tests;

/// <summary>
/// The demo set's tools, resources, prompts and errors as a client sees them, written with our own TestKit (its first
/// user is us) and run over each transport it offers: in memory, a loopback WebSocket and Streamable HTTP. Progress and
/// cancellation, which need the raw wire, stay in Pmcp.Actors.Tests' BothTransportsTests.
/// </summary>
public abstract class ProtocolSurfaceTests(ITestOutputHelper output) : McpServerTestKit(output)
{
    protected override void ConfigureServer(McpServerBuilder server) => server.AddDemoTools().AddDemoFeatures();

    [Fact]
    public async Task ToolsList_ListsTheDemoTools()
    {
        var client = await ConnectAsync();

        var tools = await client.ListToolsAsync();

        Assert.Equal(["echo", "add", "sleep", "stats", "ask-model", "ask-user"], tools.Select(t => t.Name));
    }

    [Fact]
    public async Task ToolsCall_ReturnsTheToolsResult()
    {
        var client = await ConnectAsync();

        McpAssert.Text("0.3", await client.CallToolAsync("add", new JObject { ["a"] = 0.1, ["b"] = 0.2 }));
        var stats = McpAssert.Structured<JObject>(await client.CallToolAsync("stats", new JObject { ["numbers"] = new JArray(1, 2, 3) }));
        Assert.Equal(2.0, (double)stats["mean"]!);
    }

    [Fact]
    public async Task ToolsCall_AnswersIsErrorOrJsonRpcError_AsTheOutcomesTableSays()
    {
        var client = await ConnectAsync();

        McpAssert.ToolError("text", await client.CallToolAsync("echo", new JObject()));
        await McpAssert.JsonRpcErrorAsync(JsonRpcErrorCodes.InvalidParams, () => client.CallToolAsync("no-such-tool", new JObject()));
        await McpAssert.JsonRpcErrorAsync(JsonRpcErrorCodes.MethodNotFound, () => client.SendRequestAsync("no/such-method"));
    }

    [Fact]
    public async Task ResourcesAndTemplates_ListAndRead()
    {
        var client = await ConnectAsync();

        Assert.Equal("demo://readme", (await client.ListResourcesAsync())[0].Uri);
        Assert.Equal("demo://squares/{n}", (await client.ListResourceTemplatesAsync())[0].UriTemplate);
        Assert.Equal("12 squared is 144", (await client.ReadResourceAsync("demo://squares/12")).Contents[0].Text);
        // The TestKit's client speaks 2026-07-28 with the server's defaults: a resource not found is -32602 (SEP-2164), -32002 in 2025.
        await McpAssert.JsonRpcErrorAsync(client.IsModernProtocol ? JsonRpcErrorCodes.InvalidParams : -32002, () => client.ReadResourceAsync("demo://nothing-here"));
        Assert.True(client.IsModernProtocol);
    }

    [Fact]
    public async Task Prompts_ListGetAndComplete()
    {
        var client = await ConnectAsync();

        Assert.Equal("summarize", (await client.ListPromptsAsync())[0].Name);
        var prompt = await client.GetPromptAsync("summarize", new Dictionary<string, string> { ["topic"] = "actors" });
        Assert.Contains("actors", Assert.IsType<TextContent>(prompt.Messages[0].Content).Text, StringComparison.Ordinal);
        await McpAssert.JsonRpcErrorAsync(JsonRpcErrorCodes.InvalidParams, () => client.GetPromptAsync("summarize"));
        var completion = await client.CompleteAsync(CompletionReference.ForPrompt("summarize"), "style", "b");
        Assert.Equal(["brief", "bullet-points"], completion.Values);
    }
}

public sealed class ProtocolSurfaceInMemoryTests(ITestOutputHelper output) : ProtocolSurfaceTests(output)
{
    protected override McpTestTransport Transport => McpTestTransport.InMemory;
}

public sealed class ProtocolSurfaceOverWebSocketTests(ITestOutputHelper output) : ProtocolSurfaceTests(output)
{
    protected override McpTestTransport Transport => McpTestTransport.WebSocket;
}

public sealed class ProtocolSurfaceOverStreamableHttpTests(ITestOutputHelper output) : ProtocolSurfaceTests(output)
{
    protected override McpTestTransport Transport => McpTestTransport.StreamableHttp;
}
