using Newtonsoft.Json.Linq;
using Pmcp.Actors.Server;
using Pmcp.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Conformance;

/// <summary>
/// The MCP Inspector's command line (npm @modelcontextprotocol/inspector, <c>--cli</c>; pinned in tests/conformance)
/// lists and calls the demo tools over Streamable HTTP, as README shows.
/// </summary>
public sealed class InspectorCliTests(ITestOutputHelper output)
{
    private const string Inspector = "node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js";
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task InspectorCli_ListsAndCallsTheDemoTools_OverStreamableHttp()
    {
        await using var server = await TestServer.StartAsync(configureServer: mcp => mcp.AddDemoFeatures(), output: output);
        var url = server.McpHttpUri.ToString();

        var listed = await RunAsync("--cli", url, "--method", "tools/list");
        var called = await RunAsync("--cli", url, "--method", "tools/call", "--tool-name", "add", "--tool-arg", "a=2", "--tool-arg", "b=40");

        var names = ((JArray)listed["tools"]!).Select(t => (string)t["name"]!).ToArray();
        Assert.Contains("echo", names);
        Assert.Contains("ask-model", names);
        Assert.Equal("42", (string?)called["content"]![0]!["text"]);
    }

    private async Task<JObject> RunAsync(params string[] args)
    {
        var (exitCode, stdOut, stdErr) = await ConformanceServerFixture.Node.RunScriptAsync(Inspector, args, RunTimeout);
        output.WriteLine(stdOut);
        output.WriteLine(stdErr);
        Assert.True(exitCode == 0, $"inspector {string.Join(' ', args)} exited with {exitCode}:\n{stdOut}\n{stdErr}");
        return JObject.Parse(stdOut);
    }
}
