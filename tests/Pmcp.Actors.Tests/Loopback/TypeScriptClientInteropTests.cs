using Newtonsoft.Json.Linq;
using Pmcp.Actors.Tests.Interop;
using Pmcp.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Loopback;

public sealed class TypeScriptClientInteropTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TypeScriptSdkClient_InitializesListsAndCallsTools_OverWebSocket()
    {
        await using var server = await TestServer.StartAsync(output: output);

        // npm ci runs on first use (about 15 s); the script itself gives up after 20 s.
        var (exitCode, stdOut, stdErr) = await NodeInterop.RunScriptAsync(
            "ts-client.mjs", [server.WebSocketUri.ToString()], TimeSpan.FromMinutes(3));

        output.WriteLine(stdOut);
        output.WriteLine(stdErr);
        Assert.True(exitCode == 0, $"ts-client.mjs exited with {exitCode}: {stdErr}");
        var line = Assert.Single(stdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        var summary = JObject.Parse(line);
        Assert.Equal("test", (string?)summary["serverName"]);
        Assert.Equal("1.0.0", (string?)summary["serverVersion"]);
        Assert.Equal("2025-11-25", (string?)summary["protocolVersion"]);
        var tools = summary["tools"]!.Select(t => (string?)t).ToArray();
        Assert.Contains("echo", tools);
        Assert.Contains("add", tools);
        Assert.Contains("sleep", tools);
        Assert.Equal("hello from typescript", (string?)summary["echo"]);
        Assert.Equal("5", (string?)summary["add"]);
        Assert.Equal("ok", (string?)summary["ping"]);
    }
}
