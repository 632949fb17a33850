using Newtonsoft.Json.Linq;
using Pmcp.Actors.Server;
using Pmcp.Client.Tests.Support;
using Pmcp.Protocol;

namespace Pmcp.Client.Tests;

/// <summary>Our server serving 2026-07-28 (<c>ServeStatelessEra</c>): the client discovers it and uses it without a handshake, over both transports.</summary>
public sealed class StatelessEraTests
{
    [Theory]
    [InlineData("ws")]
    [InlineData("http")]
    public async Task OurServer_InTheStatelessEra_IsDiscovered_AndItsToolsResourcesAndPromptsWork(string transport)
    {
        await using var server = await RealServer.StartAsync(options: o => o.ServeStatelessEra = true, tools: mcp => mcp.AddDemoFeatures());
        await using var client = await McpClient.ConnectAsync(McpTransportConfig.ForUrl(server.UrlFor(transport)) with { RequestTimeout = Deadline.Default },
            ClientCapabilities.Minimal()).Within("discover");

        Assert.Equal("2026-07-28", client.ProtocolVersion);
        var echo = await client.CallToolAsync("echo", new JObject { ["text"] = "stateless" }).Within("tools/call");
        var readme = await client.ReadResourceAsync("demo://readme").Within("resources/read");
        var prompt = await client.GetPromptAsync("summarize", new Dictionary<string, string> { ["topic"] = "actors" }).Within("prompts/get");

        Assert.Equal("stateless", Assert.IsType<TextContent>(Assert.Single(echo.Content)).Text);
        Assert.NotEmpty(readme.Contents);
        Assert.NotEmpty(prompt.Messages);
    }
}
