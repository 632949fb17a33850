// README's TestKit example (README.md and src/Pmcp.Actors.TestKit/README.md), line for line from the next line on: a test checks they agree.
using Newtonsoft.Json.Linq;
using Pmcp.Actors.TestKit;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using Xunit;
using Xunit.Abstractions;

public sealed class GreeterTests(ITestOutputHelper output) : McpServerTestKit(output)
{
    protected override void ConfigureServer(McpServerBuilder server) => server.Tool("greet",
        (args, ctx) => Task.FromResult((string?)args["name"] is { Length: > 0 } name
            ? CallToolResult.Text($"Hello, {name}!")
            : CallToolResult.Error("Say whom to greet: 'name' is missing.")),
        inputSchema: JObject.Parse("""{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}"""));

    [Fact]
    public async Task Greet_SaysHelloByName()
    {
        var client = await ConnectAsync();
        McpAssert.Text("Hello, Ada!", await client.CallToolAsync("greet", new JObject { ["name"] = "Ada" }));
    }

    [Fact]
    public async Task Greet_WithoutAName_IsAToolErrorNamingIt()
    {
        var client = await ConnectAsync();
        McpAssert.ToolError("name", await client.CallToolAsync("greet", new JObject()));
    }
}
