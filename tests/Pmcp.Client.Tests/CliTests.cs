using Newtonsoft.Json.Linq;
using Pmcp.Client.Tests.Support;

namespace Pmcp.Client.Tests;

/// <summary>The pmcp command run as a process against the real server: output and exit codes.</summary>
public sealed class CliTests(RealServerFixture fixture) : IClassFixture<RealServerFixture>
{
    private string Url => fixture.Server.Url.ToString();

    [Fact]
    public async Task ToolsList_PrintsEveryToolAcrossPages_AndExitsZero()
    {
        var run = await Cli.RunAsync("tools", "list", "--url", Url);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.StartsWith($"3 tools at {Url}", run.Stdout);
        Assert.Contains("echo   Returns its text unchanged.", run.Stdout);
        Assert.Contains("text: string, required - The text to send back.", run.Stdout);
        Assert.Contains("add ", run.Stdout);
        Assert.Contains("sleep ", run.Stdout);
        Assert.Equal("", run.Stderr);
    }

    [Fact]
    public async Task ToolsList_WithJson_PrintsTheToolsAsJson()
    {
        var run = await Cli.RunAsync("tools", "list", "--json", "--url", Url);

        Assert.True(run.ExitCode == 0, run.ToString());
        var tools = (JArray)JObject.Parse(run.Stdout)["tools"]!;
        Assert.Equal(["echo", "add", "sleep"], tools.Select(t => (string?)t["name"]));
        Assert.Equal("object", (string?)tools[0]["inputSchema"]!["type"]);
    }

    [Fact]
    public async Task ToolsCall_PrintsTheToolsText_AndExitsZero()
    {
        var run = await Cli.RunAsync("tools", "call", "echo", "--args", """{"text":"hi there"}""", "--url", Url);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("hi there" + Environment.NewLine, run.Stdout);
    }

    [Fact]
    public async Task ToolsCall_WithJson_PrintsTheResultObject()
    {
        var run = await Cli.RunAsync("tools", "call", "add", "--args", """{"a":2,"b":40}""", "--json", "--url", Url);

        Assert.True(run.ExitCode == 0, run.ToString());
        var result = JObject.Parse(run.Stdout);
        Assert.Equal("42", (string?)result["content"]![0]!["text"]);
        Assert.Null(result["isError"]);
    }

    [Fact]
    public async Task ToolsCall_ExitsOneAndReportsOnStderr_WhenToolReturnsIsError()
    {
        var run = await Cli.RunAsync("tools", "call", "echo", "--url", Url);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Equal("", run.Stdout);
        Assert.Contains("tool error: Argument 'text' is required", run.Stderr);
    }

    [Fact]
    public async Task ToolsCall_WithJson_ExitsOneAndPrintsTheErrorResult_WhenToolReturnsIsError()
    {
        var run = await Cli.RunAsync("tools", "call", "echo", "--json", "--url", Url);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.True((bool)JObject.Parse(run.Stdout)["isError"]!);
    }

    [Fact]
    public async Task ToolsCall_ExitsFourWithTheServersError_WhenToolIsUnknown()
    {
        var run = await Cli.RunAsync("tools", "call", "nope", "--url", Url);

        Assert.True(run.ExitCode == 4, run.ToString());
        Assert.Contains("error: the server answered with error -32602: Unknown tool: nope", run.Stderr);
    }

    [Fact]
    public async Task ToolsCall_WithJson_PrintsErrorObject_WhenToolIsUnknown()
    {
        var run = await Cli.RunAsync("tools", "call", "nope", "--json", "--url", Url);

        Assert.True(run.ExitCode == 4, run.ToString());
        var error = JObject.Parse(run.Stdout)["error"]!;
        Assert.Equal("protocol", (string?)error["kind"]);
        Assert.Equal(-32602, (int)error["code"]!);
    }

    [Fact]
    public async Task ToolsCall_PrintsAProgressLinePerNotification_WhenProgressIsAsked()
    {
        var run = await Cli.RunAsync("tools", "call", "sleep", "--args", """{"ms":100}""", "--progress", "--url", Url);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("slept 100 ms" + Environment.NewLine, run.Stdout);
        var lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(10, lines.Length);
        Assert.StartsWith("progress: [##", lines[0]);
        Assert.Equal("progress: [####################] 100%  slept 100 of 100 ms", lines[^1].TrimEnd('\r'));
    }

    [Fact]
    public async Task ToolsCall_ExitsFive_WhenTheServerDoesNotAnswerWithinTimeout()
    {
        var run = await Cli.RunAsync("tools", "call", "sleep", "--args", """{"ms":30000}""", "--timeout", "2", "--url", Url);

        Assert.True(run.ExitCode == 5, run.ToString());
        Assert.Contains("error: 'tools/call' got no answer within 2 s.", run.Stderr);
    }

    [Fact]
    public async Task ToolsCall_ExitsTwo_WhenArgsIsNotAJsonObject()
    {
        var run = await Cli.RunAsync("tools", "call", "echo", "--args", "[1,2]", "--url", Url);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("--args must be a JSON object", run.Stderr);
    }

    [Fact]
    public async Task Ping_PrintsPong_AndExitsZero()
    {
        var run = await Cli.RunAsync("ping", "--url", Url);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches($"^pong from {System.Text.RegularExpressions.Regex.Escape(Url)} in [0-9.]+ ms\\r?\\n$", run.Stdout);
    }

    [Fact]
    public async Task Ping_WithJson_PrintsUrlAndRoundTrip()
    {
        var run = await Cli.RunAsync("ping", "--json", "--url", Url);

        Assert.True(run.ExitCode == 0, run.ToString());
        var pong = JObject.Parse(run.Stdout);
        Assert.Equal(Url, (string?)pong["url"]);
        Assert.True((double)pong["roundTripMs"]! >= 0);
    }

    [Fact]
    public async Task Ping_UsesPmcpUrl_WhenNoUrlOptionIsGiven()
    {
        var run = await Cli.RunAsync(new Dictionary<string, string> { ["PMCP_URL"] = Url }, "ping");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.StartsWith($"pong from {Url}", run.Stdout);
    }

    [Fact]
    public async Task Ping_ExitsThreeWithAClearMessage_WhenNothingListensAtTheUrl()
    {
        var url = $"ws://127.0.0.1:{Ports.Free()}/mcp";

        var run = await Cli.RunAsync("ping", "--url", url);

        Assert.True(run.ExitCode == 3, run.ToString());
        Assert.Equal("", run.Stdout);
        Assert.Contains($"error: Could not connect to {url}: ", run.Stderr);
    }

    [Fact]
    public async Task Ping_ExitsTwo_WhenUrlIsNotAnMcpUrl()
    {
        var run = await Cli.RunAsync("ping", "--url", "ftp://127.0.0.1/mcp");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("--url must be an absolute ws://, wss://, http:// or https:// URL", run.Stderr);
    }

    [Fact]
    public async Task ToolsList_OverStreamableHttp_PrintsTheSameTools()
    {
        var run = await Cli.RunAsync("tools", "list", "--url", fixture.Server.HttpUrl.ToString());

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.StartsWith($"3 tools at {fixture.Server.HttpUrl}", run.Stdout);
        Assert.Contains("echo   Returns its text unchanged.", run.Stdout);
    }

    [Fact]
    public async Task ToolsCall_OverStreamableHttp_PrintsProgressAndTheResult()
    {
        var run = await Cli.RunAsync("tools", "call", "sleep", "--args", """{"ms":100}""", "--progress", "--url", fixture.Server.HttpUrl.ToString());

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("slept 100 ms" + Environment.NewLine, run.Stdout);
        Assert.Equal(10, run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Theory]
    [InlineData("ws")]
    [InlineData("http")]
    public async Task Discover_NamesThe2025Era_ForOurServerServingOnlyThat(string transport)
    {
        await using var server = await RealServer.StartAsync(options: o => o.ServeStatelessEra = false);
        var run = await Cli.RunAsync("discover", "--json", "--url", server.UrlFor(transport).ToString());

        Assert.True(run.ExitCode == 0, run.ToString());
        var described = JObject.Parse(run.Stdout);
        Assert.Equal("2025-11-25", (string?)described["protocolVersion"]);
        Assert.Equal("initialize", (string?)described["handshake"]);
        Assert.Equal("test", (string?)described["serverInfo"]!["name"]);
        Assert.Equal(JTokenType.Object, described["capabilities"]!["tools"]!.Type);
    }

    [Theory]
    [InlineData("ws")]
    [InlineData("http")]
    public async Task Discover_Names2026_ForOurServerWithItsDefaults(string transport)
    {
        var run = await Cli.RunAsync("discover", "--json", "--url", fixture.Server.UrlFor(transport).ToString());

        Assert.True(run.ExitCode == 0, run.ToString());
        var described = JObject.Parse(run.Stdout);
        Assert.Equal("2026-07-28", (string?)described["protocolVersion"]);
        Assert.Contains("2026-07-28", described["supportedVersions"]!.Values<string>());
    }

    [Fact]
    public async Task Discover_PrintsServerProtocolAndCapabilities()
    {
        var run = await Cli.RunAsync("discover", "--url", Url);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("server:       test 1.0.0", run.Stdout);
        Assert.Contains("protocol:     2026-07-28 (2026 era: server/discover, no session)", run.Stdout);
        Assert.Contains("capabilities: tools (listChanged)", run.Stdout);
    }

    [Fact]
    public async Task UnknownOption_ExitsTwoWithUsageHint()
    {
        var run = await Cli.RunAsync("ping", "--bogus");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("--bogus", run.Stderr);
        Assert.Contains("pmcp --help", run.Stderr);
    }
}
