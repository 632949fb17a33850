using ModelContextProtocol.AspNetCore;
using Newtonsoft.Json.Linq;
using Pmcp.Client.Tests.Support;
using Pmcp.Protocol;

namespace Pmcp.Client.Tests;

public sealed class StatelessSdkServerFixture : IAsyncLifetime
{
    internal SdkServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await SdkServer.StartAsync(HttpServerSessionMode.Stateless);

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

public sealed class StatefulSdkServerFixture : IAsyncLifetime
{
    internal SdkServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await SdkServer.StartAsync(HttpServerSessionMode.Stateful);

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>
/// The client against the official C# SDK's server in stateless mode, which speaks MCP 2026-07-28: discovery instead
/// of initialize, per-request metadata, MRTR for elicitation and sampling.
/// </summary>
public sealed class StatelessSdkInteropTests(StatelessSdkServerFixture fixture) : IClassFixture<StatelessSdkServerFixture>
{
    private async Task<McpClient> ConnectAsync(Action<McpClient>? handlers = null)
    {
        var client = new McpClient(new StreamableHttpConfig(fixture.Server.Url) { RequestTimeout = Deadline.Default, AutoReconnect = false });
        handlers?.Invoke(client);
        await client.InitializeAsync(ClientCapabilities.Minimal()).Within("discovery");
        return client;
    }

    [Fact]
    public async Task InitializeAsync_Discovers2026_WithTheServersNameAndCapabilities()
    {
        await using var client = await ConnectAsync();

        Assert.True(client.IsModernProtocol);
        Assert.Equal(ModernProtocol.Version, client.ProtocolVersion);
        Assert.Contains(ModernProtocol.Version, client.DiscoverResult!.SupportedVersions);
        Assert.Equal("csharp-sdk", client.ServerInfo!.Name);
        Assert.NotNull(client.ServerCapabilities!.Tools);
        Assert.Null(((StreamableHttpTransport)client.Transport).SessionId);
    }

    [Fact]
    public async Task Tools_AreListedAndCalled()
    {
        await using var client = await ConnectAsync();

        var tools = await client.ListToolsAsync().Within("tools/list");
        var result = await client.CallToolAsync("echo", new JObject { ["text"] = "hello sdk" }).Within("tools/call");

        Assert.Contains(tools, t => t.Name == "echo" && t.Description == "Echoes the input text back to the client.");
        Assert.Equal("hello sdk", Assert.IsType<TextContent>(Assert.Single(result.Content)).Text);
    }

    [Fact]
    public async Task CallTool_ReportsProgress_FromTheRequestsStream()
    {
        await using var client = await ConnectAsync();
        var reports = new List<ProgressParams>();

        var result = await client.CallToolAsync("slow", new JObject { ["ms"] = 100 }, new Progress(reports)).Within("tools/call slow");

        Assert.Equal("waited 100 ms", ((TextContent)result.Content[0]).Text);
        lock (reports) Assert.Equal(10, reports.Count);
        Assert.Equal("step 10", reports[^1].Message);
    }

    [Fact]
    public async Task CallTool_AnswersAnElicitationInputRequest_WithTheElicitationHandler_AndRetries()
    {
        ElicitParams? asked = null;
        await using var client = await ConnectAsync(c => c.SetElicitationHandler((request, _) =>
        {
            asked = request;
            return Task.FromResult(new ElicitResult("accept") { Content = new JObject { ["answer"] = "blue" } });
        }));

        var result = await client.CallToolAsync("ask_user", new JObject { ["question"] = "Favourite colour?" }).Within("tools/call ask_user");

        Assert.Equal("The user answered: blue", ((TextContent)result.Content[0]).Text);
        Assert.Equal("Favourite colour?", asked?.Message);
    }

    [Fact]
    public async Task CallTool_AnswersASamplingInputRequest_WithTheSamplingHandler()
    {
        await using var client = await ConnectAsync(c => c.SetSamplingHandler((request, _) =>
            Task.FromResult(new CreateMessageResult("assistant", new TextContent("Paris"), "fake-llm"))));

        var result = await client.CallToolAsync("ask_model", new JObject { ["question"] = "Capital of France?" }).Within("tools/call ask_model");

        Assert.Equal("Paris (model fake-llm)", ((TextContent)result.Content[0]).Text);
    }

    [Fact]
    public async Task Resources_AreListedAndRead_IncludingFromATemplate()
    {
        await using var client = await ConnectAsync();

        var resources = await client.ListResourcesAsync().Within("resources/list");
        var templates = await client.ListResourceTemplatesAsync().Within("resources/templates/list");
        var greeting = await client.ReadResourceAsync("sdk://greeting").Within("resources/read");
        var item = await client.ReadResourceAsync("sdk://items/42").Within("resources/read template");

        Assert.Contains(resources, r => r.Uri == "sdk://greeting");
        Assert.Contains(templates, t => t.UriTemplate == "sdk://items/{id}");
        Assert.Equal("hello from the C# SDK", greeting.Contents[0].Text);
        Assert.Equal("item 42", item.Contents[0].Text);
    }

    [Fact]
    public async Task Prompts_AreListedAndGot_AndArgumentsCompleted()
    {
        await using var client = await ConnectAsync();

        var prompts = await client.ListPromptsAsync().Within("prompts/list");
        var prompt = await client.GetPromptAsync("greet", new Dictionary<string, string> { ["name"] = "Ada", ["mood"] = "calm" }).Within("prompts/get");
        var completion = await client.CompleteAsync(CompletionReference.ForPrompt("greet"), "mood", "c").Within("completion/complete");

        Assert.Contains(prompts, p => p.Name == "greet" && p.Arguments!.Any(a => a.Name == "mood"));
        Assert.Equal("Greet Ada in a calm way.", ((TextContent)prompt.Messages[0].Content).Text);
        Assert.Equal(["cheerful", "calm"], completion.Values);
    }

    [Fact]
    public async Task Subscribe_IsAcknowledged_ThenEndedGracefully_ByAServerWithNothingToSend()
    {
        await using var client = await ConnectAsync();

        var subscription = await client.SubscribeAsync(new McpSubscriptionFilter { ToolsListChanged = true, PromptsListChanged = true })
            .Within("subscriptions/listen");

        // Returned once the server acknowledged the stream. A stateless SDK server announces no listChanged, so it
        // agrees to nothing and answers the listen request at once: the subscription ends without an error.
        Assert.False(subscription.Acknowledged.ToolsListChanged);
        Assert.False(subscription.Acknowledged.PromptsListChanged);
        await subscription.Ended.Within("the server to end the subscription");
        await subscription.DisposeAsync();
        Assert.NotEmpty(await client.ListToolsAsync().Within("tools/list after the subscription"));
    }

    [Fact]
    public async Task CallTool_MirrorsAnXMcpHeaderArgument_IntoItsMcpParamHeader_Base64WhenNotAscii()
    {
        await using var client = await ConnectAsync();
        var tools = await client.ListToolsAsync().Within("tools/list");
        Assert.Equal("Region", (string?)tools.Single(t => t.Name == "where").InputSchema["properties"]!["region"]!["x-mcp-header"]);

        var plain = await client.CallToolAsync("where", new JObject { ["region"] = "us-west1" }).Within("tools/call where");
        var encoded = await client.CallToolAsync("where", new JObject { ["region"] = "Zürich" }).Within("tools/call where, not ASCII");

        Assert.Equal("region us-west1", ((TextContent)plain.Content[0]).Text);
        Assert.Equal("region Zürich", ((TextContent)encoded.Content[0]).Text);
        Assert.Equal(["us-west1", "=?base64?WsO8cmljaA==?="], fixture.Server.RegionHeaders);
    }

    [Fact]
    public async Task CallTool_FailsWithTheServersError_WhenTheToolIsUnknown()
    {
        await using var client = await ConnectAsync();

        var error = await Assert.ThrowsAsync<McpProtocolException>(() => client.CallToolAsync("nope").Within("tools/call nope"));

        Assert.Equal(JsonRpcErrorCodes.InvalidParams, error.Code);
    }

    private sealed class Progress(List<ProgressParams> reports) : IProgress<ProgressParams>
    {
        public void Report(ProgressParams value)
        {
            lock (reports) reports.Add(value);
        }
    }
}

/// <summary>
/// The client against the official C# SDK's server in stateful mode, which refuses 2026-07-28: the client falls back
/// to initialize and speaks the 2025 era with a session (Mcp-Session-Id, server requests on SSE streams, DELETE at the end).
/// </summary>
public sealed class StatefulSdkInteropTests(StatefulSdkServerFixture fixture) : IClassFixture<StatefulSdkServerFixture>
{
    private async Task<McpClient> ConnectAsync(Action<McpClient>? handlers = null)
    {
        var client = new McpClient(new StreamableHttpConfig(fixture.Server.Url) { RequestTimeout = Deadline.Default, AutoReconnect = false });
        handlers?.Invoke(client);
        await client.InitializeAsync(ClientCapabilities.Minimal()).Within("discovery, then initialize");
        return client;
    }

    [Fact]
    public async Task InitializeAsync_FallsBackToInitialize_AndGetsASession()
    {
        await using var client = await ConnectAsync();

        Assert.False(client.IsModernProtocol);
        Assert.Null(client.DiscoverResult);
        Assert.Equal(McpProtocolVersions.Latest, client.ProtocolVersion);
        Assert.Equal("csharp-sdk", client.ServerInfo!.Name);
        Assert.False(string.IsNullOrEmpty(((StreamableHttpTransport)client.Transport).SessionId));
    }

    [Fact]
    public async Task Tools_AreListedAndCalled_InTheSession()
    {
        await using var client = await ConnectAsync();

        var tools = await client.ListToolsAsync().Within("tools/list");
        var result = await client.CallToolAsync("echo", new JObject { ["text"] = "hello session" }).Within("tools/call");
        var roundTrip = await client.PingAsync().Within("ping");

        Assert.Contains(tools, t => t.Name == "echo");
        Assert.Equal("hello session", ((TextContent)result.Content[0]).Text);
        Assert.True(roundTrip >= TimeSpan.Zero);
    }

    [Fact]
    public async Task CallTool_AnswersTheServersElicitationRequest_SentOnTheCallsStream()
    {
        await using var client = await ConnectAsync(c => c.SetElicitationHandler((request, _) =>
            Task.FromResult(new ElicitResult("accept") { Content = new JObject { ["answer"] = "green" } })));

        var result = await client.CallToolAsync("ask_user", new JObject { ["question"] = "Colour?" }).Within("tools/call ask_user");

        Assert.Equal("The user answered: green", ((TextContent)result.Content[0]).Text);
    }

    [Fact]
    public async Task CloseAsync_DeletesTheSession_SoTheServerNoLongerKnowsIt()
    {
        var client = await ConnectAsync();
        var sessionId = ((StreamableHttpTransport)client.Transport).SessionId!;

        await client.CloseAsync().Within("close");

        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, fixture.Server.Url)
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"tools/list"}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Accept", "application/json, text/event-stream");
        request.Headers.Add("Mcp-Session-Id", sessionId);
        request.Headers.Add("MCP-Protocol-Version", McpProtocolVersions.Latest);
        using var response = await http.SendAsync(request).Within("a request in the deleted session");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
    }
}
