using System.Net;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Hosting;
using Pmcp.Actors.Tests.Support;
using Pmcp.Actors.Transport;
using Pmcp.Protocol;

namespace Pmcp.Actors.Tests.Loopback;

public sealed class EmbeddingTests
{
    [Fact]
    public async Task HostApp_ServesItsOwnTool_WhenBuiltAsTheReadmeShows()
    {
        // docs/embedding.md, "Embedding in your app", with two changes for a test: Kestrel on a free loopback port, and
        // StartAsync/StopAsync instead of Run.
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));

        builder.Services.AddMcpServer(
            mcp => mcp
                .Name("greeter")
                .Version("1.0.0")
                .Instructions("Greets people by name.")
                .Tool("greet",
                    (args, ctx) => Task.FromResult(CallToolResult.Text($"Hello, {(string?)args["name"] ?? "stranger"}!")),
                    description: "Says hello.",
                    inputSchema: JObject.Parse("""{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}""")),
            options => options.MaxConnections = 500);

        builder.Services.AddAkka("my-app", (akka, _) => akka
            .WithMcpServer());

        await using var app = builder.Build();
        app.MapMcpWebSocket();
        await app.StartAsync().Within(TimeSpan.FromSeconds(30), "the host app to start");

        try
        {
            var url = new UriBuilder(app.Urls.First()) { Scheme = "ws", Path = "/mcp" }.Uri;
            await using var client = await McpTestClient.ConnectAsync(url);
            var init = await client.InitializeAsync();
            var tools = (await client.RequestAsync("tools/list")).EnsureSuccess();
            var greeting = await client.CallToolAsync("greet", new { name = "Ada" });

            Assert.Equal("greeter", (string?)init.Result!["serverInfo"]?["name"]);
            Assert.Equal("Greets people by name.", (string?)init.Result["instructions"]);
            var tool = Assert.Single(tools.Result!["tools"]!);
            Assert.Equal("greet", (string?)tool["name"]);
            Assert.Equal("Says hello.", (string?)tool["description"]);
            Assert.Equal("Hello, Ada!", greeting.ToolText());
        }
        finally
        {
            await app.StopAsync().Within(TimeSpan.FromSeconds(20), "the host app to stop");
        }
    }

    [Fact]
    public async Task HostApp_WithBadMcpOptions_FailsAtStart_WithAnOptionsValidationExceptionNamingThem()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddMcpServer(mcp => mcp.Name("bad"), options =>
        {
            options.Path = "mcp";
            options.DefaultLogLevel = "loud";
        });
        builder.Services.AddAkka("bad-app", (akka, _) => akka.WithMcpServer());
        await using var app = builder.Build();

        // Mapping the endpoint reads the options, so the failure comes before any client could connect.
        var failure = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => app.MapMcp());

        Assert.Equal(typeof(McpServerOptions), failure.OptionsType);
        Assert.Contains("Path is 'mcp'; it must be a path that starts with '/', such as /mcp.", failure.Failures);
        Assert.Contains(failure.Failures, f => f.StartsWith("DefaultLogLevel is 'loud'; it must be one of debug, info", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HostApp_WithBadMcpOptions_AndNoEndpointYet_FailsInStartAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddMcpServer(mcp => mcp.Name("bad"), options => options.MaxConnections = 0);
        builder.Services.AddAkka("bad-app", (akka, _) => akka.WithMcpServer());
        await using var app = builder.Build();

        var failure = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => app.StartAsync().Within(TimeSpan.FromSeconds(30), "the host app to start"));

        Assert.Equal("MaxConnections is 0; it must be a whole number of at least 1.", Assert.Single(failure.Failures));
    }
}
