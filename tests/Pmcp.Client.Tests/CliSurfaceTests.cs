using ModelContextProtocol.AspNetCore;
using Newtonsoft.Json.Linq;
using Pmcp.Client.Tests.Support;

namespace Pmcp.Client.Tests;

/// <summary>The pmcp command's resources, prompts and complete against our server's demo features, over both transports.</summary>
public sealed class CliSurfaceTests(DemoFeaturesServerFixture fixture) : IClassFixture<DemoFeaturesServerFixture>
{
    [Theory]
    [InlineData("ws")]
    [InlineData("http")]
    public async Task ResourcesList_PrintsEachResource(string transport)
    {
        var url = fixture.Server.UrlFor(transport).ToString();

        var run = await Cli.RunAsync("resources", "list", "--url", url);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.StartsWith($"1 resource at {url}", run.Stdout);
        Assert.Contains("demo://readme  readme (text/plain)", run.Stdout);
        Assert.Contains("    What this server offers.", run.Stdout);
    }

    [Theory]
    [InlineData("ws")]
    [InlineData("http")]
    public async Task ResourcesTemplates_PrintsEachTemplate(string transport)
    {
        var run = await Cli.RunAsync("resources", "templates", "--url", fixture.Server.UrlFor(transport).ToString());

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("demo://squares/{n}  squares (text/plain)", run.Stdout);
    }

    [Theory]
    [InlineData("ws")]
    [InlineData("http")]
    public async Task ResourcesRead_PrintsTheText(string transport)
    {
        var run = await Cli.RunAsync("resources", "read", "demo://squares/9", "--url", fixture.Server.UrlFor(transport).ToString());

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("9 squared is 81" + Environment.NewLine, run.Stdout);
    }

    [Fact]
    public async Task ResourcesRead_ExitsFourWithTheServersError_ForAnUnknownResource()
    {
        var run = await Cli.RunAsync("resources", "read", "demo://nothing", "--json", "--url", fixture.Server.Url.ToString());

        Assert.True(run.ExitCode == 4, run.ToString());
        // The CLI speaks 2026-07-28 with our server, where a resource not found is -32602 naming the URI (SEP-2164).
        var error = JObject.Parse(run.Stdout)["error"]!;
        Assert.Equal(-32602, (int)error["code"]!);
        Assert.Equal("demo://nothing", (string?)error["data"]?["uri"]);
    }

    [Theory]
    [InlineData("ws")]
    [InlineData("http")]
    public async Task PromptsList_PrintsEachPromptWithItsArguments(string transport)
    {
        var run = await Cli.RunAsync("prompts", "list", "--url", fixture.Server.UrlFor(transport).ToString());

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("summarize  Asks the model to summarize a topic.", run.Stdout);
        Assert.Contains("topic: required - What to summarize.", run.Stdout);
        Assert.Contains("style: optional - brief, detailed or bullet-points.", run.Stdout);
    }

    [Theory]
    [InlineData("ws")]
    [InlineData("http")]
    public async Task PromptsGet_PrintsTheMessages_WithTheArgumentsFilledIn(string transport)
    {
        var run = await Cli.RunAsync("prompts", "get", "summarize", "--args", """{"topic":"sockets"}""", "--url", fixture.Server.UrlFor(transport).ToString());

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal($"# Summary of sockets{Environment.NewLine}user: Summarize what you know about sockets in a brief style.{Environment.NewLine}", run.Stdout);
    }

    [Fact]
    public async Task PromptsGet_ExitsTwo_WhenAnArgumentIsNotAString()
    {
        var run = await Cli.RunAsync("prompts", "get", "summarize", "--args", """{"topic":3}""", "--url", fixture.Server.Url.ToString());

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("--args values must be strings ('topic' is integer)", run.Stderr);
    }

    [Theory]
    [InlineData("ws")]
    [InlineData("http")]
    public async Task Complete_PrintsOneSuggestionPerLine(string transport)
    {
        var run = await Cli.RunAsync("complete", "--prompt", "summarize", "style", "b", "--url", fixture.Server.UrlFor(transport).ToString());

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal($"brief{Environment.NewLine}bullet-points{Environment.NewLine}", run.Stdout);
    }

    [Fact]
    public async Task Complete_WithJson_PrintsTheCompletionForATemplateVariable()
    {
        var run = await Cli.RunAsync("complete", "--resource", "demo://squares/{n}", "n", "2", "--json", "--url", fixture.Server.HttpUrl.ToString());

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["2", "20"], ((JArray)JObject.Parse(run.Stdout)["values"]!).Select(v => (string?)v));
    }

    [Fact]
    public async Task Complete_ExitsTwo_WithoutPromptOrResource()
    {
        var run = await Cli.RunAsync("complete", "style", "b", "--url", fixture.Server.Url.ToString());

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("exactly one of --prompt NAME and --resource URI_TEMPLATE", run.Stderr);
    }
}

/// <summary>The pmcp command against the official C# SDK's server in stateless mode (MCP 2026-07-28).</summary>
public sealed class CliSdkTests(StatelessSdkServerFixture fixture) : IClassFixture<StatelessSdkServerFixture>
{
    private string Url => fixture.Server.Url.ToString();

    [Fact]
    public async Task ToolsList_ListsTheSdkServersTools()
    {
        var run = await Cli.RunAsync("tools", "list", "--url", Url);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("echo       Echoes the input text back to the client.", run.Stdout);
        Assert.Contains("text: string, required - Text to echo back.", run.Stdout);
    }

    [Fact]
    public async Task ToolsCall_CallsTheSdkServersTool()
    {
        var run = await Cli.RunAsync("tools", "call", "echo", "--args", """{"text":"from pmcp"}""", "--url", Url);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("from pmcp" + Environment.NewLine, run.Stdout);
    }

    [Fact]
    public async Task Discover_Names2026AndTheServer()
    {
        var run = await Cli.RunAsync("discover", "--url", Url);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("server:       csharp-sdk 2.4.0", run.Stdout);
        Assert.Contains("protocol:     2026-07-28 (2026 era: server/discover, no session)", run.Stdout);
        Assert.Contains("versions:     2026-07-28", run.Stdout);
    }

    [Fact]
    public async Task ResourcesRead_And_PromptsGet_Work()
    {
        var read = await Cli.RunAsync("resources", "read", "sdk://greeting", "--url", Url);
        var prompt = await Cli.RunAsync("prompts", "get", "greet", "--args", """{"name":"Ada","mood":"grumpy"}""", "--json", "--url", Url);

        Assert.True(read.ExitCode == 0, read.ToString());
        Assert.Equal("hello from the C# SDK" + Environment.NewLine, read.Stdout);
        Assert.True(prompt.ExitCode == 0, prompt.ToString());
        Assert.Equal("Greet Ada in a grumpy way.", (string?)JObject.Parse(prompt.Stdout)["messages"]![0]!["content"]!["text"]);
    }

    [Fact]
    public async Task Ping_TimesDiscover_OnA2026Server()
    {
        var run = await Cli.RunAsync("ping", "--url", Url);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.StartsWith($"pong from {Url} in ", run.Stdout);
    }
}
