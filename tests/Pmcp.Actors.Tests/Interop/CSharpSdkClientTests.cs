// Sampling is deprecated in 2026-07-28 (SEP-2577) and the SDK marks it so; it is still in the revision, and shown working here.
#pragma warning disable MCP9005
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Pmcp.Actors.Server;
using Pmcp.Actors.Tests.Support;
using Xunit.Abstractions;
using PmcpResult = Pmcp.Protocol.CallToolResult;
using PmcpTool = Pmcp.Actors.Tools.McpToolDefinition;

namespace Pmcp.Actors.Tests.Interop;

/// <summary>
/// The official C# SDK's client (NuGet ModelContextProtocol 2.4.0) against our server over Streamable HTTP, as a user
/// would connect it to a server with its default options: it probes server/discover, negotiates 2026-07-28 on its own, and uses tools (with progress and
/// cancellation), resources, templates, prompts, completion, and tools that ask it for sampling and elicitation, which
/// it answers through MRTR.
/// </summary>
public sealed class CSharpSdkClientTests(ITestOutputHelper output)
{
    private readonly TaskCompletionSource _cancelledOnServer = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private Task<TestServer> StartAsync() => TestServer.StartAsync(
        configureServer: mcp => mcp.AddDemoFeatures().Tool(new PmcpTool("wait-for-cancel", PmcpTool.EmptyInputSchema(), async (_, ctx) =>
        {
            ctx.Progress.Report(1, 2, "started");
            try
            {
                await Task.Delay(Timeout.Infinite, ctx.CancellationToken);
            }
            catch (OperationCanceledException)
            {
                _cancelledOnServer.TrySetResult();
                throw;
            }
            return PmcpResult.Text("never");
        })), output: output); // the server's defaults: nothing switched on for the 2026 era

    private static Task<McpClient> ConnectAsync(TestServer server) => McpClient.CreateAsync(
        new HttpClientTransport(new HttpClientTransportOptions { Endpoint = server.McpHttpUri, TransportMode = HttpTransportMode.StreamableHttp }),
        new McpClientOptions
        {
            ClientInfo = new Implementation { Name = "csharp-sdk-interop", Version = "1.0.0" },
            Capabilities = new ClientCapabilities { Sampling = new SamplingCapability(), Elicitation = new ElicitationCapability() },
            Handlers = new McpClientHandlers
            {
                SamplingHandler = (request, _, _) => ValueTask.FromResult(new CreateMessageResult
                {
                    Role = Role.Assistant,
                    Model = "test-model",
                    Content = [new TextContentBlock { Text = "Paris" }],
                }),
                ElicitationHandler = (request, _) => ValueTask.FromResult(new ElicitResult
                {
                    Action = "accept",
                    Content = new Dictionary<string, JsonElement> { ["answer"] = JsonSerializer.SerializeToElement("blue") },
                }),
            },
        }).Within(Deadline.Default, "the C# SDK client's connect");

    private static string TextOf(CallToolResult result) => Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text;

    [Fact]
    public async Task SdkClient_AgainstTheStandaloneServerProcess_Negotiates2026_AndCallsItsTools()
    {
        // The server as a new user runs it (dotnet run --project src/Pmcp.Actors.Server), on its shipped settings.
        using var process = new Loopback.ServerProcessTests.ServerProcess(Loopback.ServerProcessTests.ServerProcess.StandaloneDll, ["--port", "0"]);
        var listening = await process.ListeningUrl.Within(TimeSpan.FromSeconds(60), "the standalone server's 'listening on' line");
        var endpoint = new UriBuilder(listening) { Scheme = Uri.UriSchemeHttp }.Uri; // one path serves WebSocket and Streamable HTTP
        await using var client = await McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions { Endpoint = endpoint, TransportMode = HttpTransportMode.StreamableHttp }),
            new McpClientOptions { ClientInfo = new Implementation { Name = "csharp-sdk-interop", Version = "1.0.0" } })
            .Within(Deadline.Default, "the C# SDK client's connect to the standalone server");

        var tools = await client.ListToolsAsync();
        var echo = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "to the standalone server" });

        Assert.Equal("2026-07-28", client.NegotiatedProtocolVersion);
        Assert.Contains(tools, t => t.Name == "echo");
        Assert.Equal("to the standalone server", TextOf(echo));
    }

    [Fact]
    public async Task SdkClient_Negotiates2026_AndUsesToolsResourcesPromptsAndCompletion()
    {
        await using var server = await StartAsync();
        await using var client = await ConnectAsync(server);

        var tools = await client.ListToolsAsync();
        var echo = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "hi sdk" });
        var resources = await client.ListResourcesAsync();
        var templates = await client.ListResourceTemplatesAsync();
        var square = await client.ReadResourceAsync("demo://squares/12");
        var prompt = await client.GetPromptAsync("summarize", new Dictionary<string, object?> { ["topic"] = "actors", ["style"] = "brief" });
        var completion = await client.CompleteAsync(new PromptReference { Name = "summarize" }, "style", "b");

        Assert.Equal("2026-07-28", client.NegotiatedProtocolVersion);
        Assert.Contains(tools, t => t.Name == "ask-user");
        Assert.Equal("hi sdk", TextOf(echo));
        Assert.Contains(resources, r => r.Uri == "demo://readme");
        Assert.Contains(templates, t => t.UriTemplate == "demo://squares/{n}");
        Assert.Equal("12 squared is 144", Assert.IsType<TextResourceContents>(Assert.Single(square.Contents)).Text);
        Assert.Equal("Summarize what you know about actors in a brief style.", Assert.IsType<TextContentBlock>(Assert.Single(prompt.Messages).Content).Text);
        Assert.Equal(["brief", "bullet-points"], completion.Completion.Values);
    }

    [Fact]
    public async Task SdkClient_AnswersSamplingAndElicitation_ThroughInputRequiredResults()
    {
        await using var server = await StartAsync();
        await using var client = await ConnectAsync(server);

        var model = await client.CallToolAsync("ask-model", new Dictionary<string, object?> { ["question"] = "Capital of France?" });
        var user = await client.CallToolAsync("ask-user", new Dictionary<string, object?> { ["question"] = "Favourite colour?" });

        Assert.Equal("2026-07-28", client.NegotiatedProtocolVersion);
        Assert.Equal("Paris", TextOf(model));
        Assert.Equal("The user answered: blue", TextOf(user));
    }

    [Fact]
    public async Task SdkClient_GetsProgress_AndItsCancellationStopsTheToolOnTheServer()
    {
        await using var server = await StartAsync();
        await using var client = await ConnectAsync(server);
        var progressed = new TaskCompletionSource<ProgressNotificationValue>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cancel = new CancellationTokenSource();

        var sleep = await client.CallToolAsync("sleep", new Dictionary<string, object?> { ["ms"] = 50 }, new SyncProgress(p => { }));
        var call = client.CallToolAsync("wait-for-cancel", progress: new SyncProgress(p => progressed.TrySetResult(p)), cancellationToken: cancel.Token).AsTask();
        var first = await progressed.Task.Within(Deadline.Default, "the tool's first progress");
        cancel.Cancel();

        Assert.Equal("slept 50 ms", TextOf(sleep));
        Assert.Equal(1, first.Progress);
        Assert.Equal("started", first.Message);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.Within(Deadline.Default, "the cancelled call"));
        await _cancelledOnServer.Task.Within(Deadline.Default, "the tool's token cancelled on the server");
    }

    /// <summary>Reports on the thread that reports (Progress&lt;T&gt; would post to a context the test does not have).</summary>
    private sealed class SyncProgress(Action<ProgressNotificationValue> report) : IProgress<ProgressNotificationValue>
    {
        public void Report(ProgressNotificationValue value) => report(value);
    }
}
