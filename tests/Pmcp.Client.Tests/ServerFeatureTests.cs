using Newtonsoft.Json.Linq;
using Pmcp.Actors.Tools;
using Pmcp.Client.Tests.Support;
using Pmcp.Protocol;

namespace Pmcp.Client.Tests;

/// <summary>A real server whose tools reach back to their client: sampling, elicitation, roots, log messages.</summary>
public sealed class ClientFeatureServerFixture : IAsyncLifetime
{
    private RealServer? _server;

    internal RealServer Server => _server ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync() => _server = await RealServer.StartAsync(tools: mcp => mcp
        .Tool("ask", async (args, ctx) =>
        {
            var answer = await ctx.Client.SampleAsync(
                new CreateMessageParams([new SamplingMessage("user", new TextContent((string?)args["question"] ?? ""))], 50), ctx.CancellationToken);
            return CallToolResult.Text($"{((TextContent)answer.Content).Text} (model {answer.Model})");
        })
        .Tool("confirm", async (_, ctx) =>
        {
            var schema = new JObject { ["type"] = "object", ["properties"] = new JObject { ["ok"] = new JObject { ["type"] = "boolean" } } };
            var answer = await ctx.Client.ElicitAsync(ElicitParams.Form("Proceed?", schema), ctx.CancellationToken);
            return CallToolResult.Text($"{answer.Action} ok={(bool?)answer.Content?["ok"]}");
        })
        .Tool("roots", async (_, ctx) =>
        {
            var roots = await ctx.Client.ListRootsAsync(ctx.CancellationToken);
            return CallToolResult.Text(string.Join(",", roots.Roots.Select(r => r.Name ?? r.Uri)));
        })
        .Tool("log", (_, ctx) =>
        {
            ctx.Client.Log("info", new JObject { ["step"] = 1 }, "demo");
            ctx.Client.Log("error", new JObject { ["step"] = 2 }, "demo");
            return Task.FromResult(CallToolResult.Text("logged"));
        }));

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}

public sealed class ServerFeatureTests(ClientFeatureServerFixture fixture) : IClassFixture<ClientFeatureServerFixture>
{
    /// <summary>A ready client over "ws" or "http": over HTTP the server's requests come on SSE streams and the answers go back as POSTs.</summary>
    private async Task<McpClient> ConnectAsync(string transport, Action<McpClient> handlers, string? protocolVersion = null)
    {
        var client = new McpClient(McpTransportConfig.ForUrl(fixture.Server.UrlFor(transport)) with { RequestTimeout = Deadline.Default },
            new McpClientOptions { ProtocolVersion = protocolVersion });
        handlers(client);
        await client.InitializeAsync(ClientCapabilities.Minimal()).Within("initialize");
        return client;
    }

    [Theory]
    [InlineData("ws")]
    [InlineData("http")]
    public async Task SamplingHandler_AnswersTheServersRequest_DuringAToolCall(string transport)
    {
        await using var client = await ConnectAsync(transport, c => c.SetSamplingHandler((request, _) =>
            Task.FromResult(new CreateMessageResult("assistant", new TextContent("42 is the answer to: " + ((TextContent)request.Messages[0].Content).Text), "fake-llm"))));

        var result = await client.CallToolAsync("ask", new JObject { ["question"] = "what?" }).Within("ask");

        Assert.NotEqual(true, result.IsError);
        Assert.Equal("42 is the answer to: what? (model fake-llm)", Assert.IsType<TextContent>(Assert.Single(result.Content)).Text);
    }

    [Theory]
    [InlineData("ws")]
    [InlineData("http")]
    public async Task ElicitationHandler_AnswersTheServersRequest_DuringAToolCall(string transport)
    {
        ElicitParams? asked = null;
        await using var client = await ConnectAsync(transport, c => c.SetElicitationHandler((request, _) =>
        {
            asked = request;
            return Task.FromResult(new ElicitResult("accept") { Content = new JObject { ["ok"] = true } });
        }));

        var result = await client.CallToolAsync("confirm").Within("confirm");

        Assert.Equal("accept ok=True", Assert.IsType<TextContent>(Assert.Single(result.Content)).Text);
        Assert.Equal("Proceed?", asked!.Message);
        Assert.Equal("boolean", (string?)asked.RequestedSchema!["properties"]!["ok"]!["type"]);
    }

    [Theory]
    [InlineData("ws")]
    [InlineData("http")]
    public async Task RootsHandler_AnswersTheServersRequest_DuringAToolCall(string transport)
    {
        await using var client = await ConnectAsync(transport, c => c.SetRootsHandler(_ =>
            Task.FromResult<IReadOnlyList<Root>>([new Root("file:///src") { Name = "src" }, new Root("file:///docs") { Name = "docs" }])));

        var result = await client.CallToolAsync("roots").Within("roots");

        Assert.Equal("src,docs", Assert.IsType<TextContent>(Assert.Single(result.Content)).Text);
    }

    [Theory]
    [InlineData("ws")]
    [InlineData("http")]
    public async Task ToolNeedingSampling_ReportsAnError_WhenClientRegisteredNoHandler_In2025(string transport)
    {
        await using var client = await ConnectAsync(transport, _ => { }, McpProtocolVersions.Latest);

        var result = await client.CallToolAsync("ask", new JObject { ["question"] = "?" }).Within("ask");

        // The client declared no sampling capability, so the server never sent the request and the tool failed.
        Assert.True(result.IsError);
    }

    [Theory]
    [InlineData("ws")]
    [InlineData("http")]
    public async Task ToolNeedingSampling_IsRefusedMissingCapability_WhenClientRegisteredNoHandler_In2026(string transport)
    {
        await using var client = await ConnectAsync(transport, _ => { });

        var ex = await Assert.ThrowsAsync<McpProtocolException>(() => client.CallToolAsync("ask", new JObject { ["question"] = "?" }).Within("ask"));

        // 2026-07-28: the request's _meta declared no sampling, the tool could not do without it: -32021.
        Assert.True(client.IsModernProtocol);
        Assert.Equal(ModernProtocol.MissingRequiredClientCapability, ex.Code);
    }

    [Theory]
    [InlineData("ws")]
    [InlineData("http")]
    public async Task LogMessages_ReachOnLogMessage_AtOrAboveTheLevelSet(string transport)
    {
        var logs = new List<LoggingMessageParams>();
        await using var client = await ConnectAsync(transport, c => c.OnLogMessage(m =>
        {
            lock (logs) logs.Add(m);
        }));

        await client.SetLoggingLevelAsync("warning").Within("logging/setLevel");
        await client.CallToolAsync("log").Within("log");

        // Notifications sent before the answer are handled before the call completes.
        LoggingMessageParams log;
        lock (logs) log = Assert.Single(logs);
        Assert.Equal("error", log.Level);
        Assert.Equal("demo", log.Logger);
        Assert.Equal(2, (int)log.Data!["step"]!);
    }

    [Theory]
    [InlineData("ws")]
    [InlineData("http")]
    public async Task ToolListChanged_Fires_WhenTheServerAddsATool(string transport)
    {
        var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var client = await ConnectAsync(transport, c => c.OnToolListChanged(() => changed.TrySetResult()));
        var name = "added-" + Guid.NewGuid().ToString("N")[..8];
        // The server tells only sessions that have sent notifications/initialized; a ping answered proves it was read.
        await client.PingAsync().Within("ping");

        await fixture.Server.Runtime.AddToolAsync(new McpToolDefinition(name, new JObject { ["type"] = "object" },
            (_, _) => Task.FromResult(CallToolResult.Text("new")))).Within("the tool to be added");
        await changed.Task.Within("notifications/tools/list_changed");
        try
        {
            var tools = await client.ListToolsAsync().Within("tools/list");
            Assert.Contains(name, tools.Select(t => t.Name));
        }
        finally
        {
            await fixture.Server.Runtime.RemoveToolAsync(name);
        }
    }
}
