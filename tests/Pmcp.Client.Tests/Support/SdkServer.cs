using System.Collections.Concurrent;
using System.ComponentModel;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Server;
using Sdk = ModelContextProtocol.Protocol;

namespace Pmcp.Client.Tests.Support;

/// <summary>
/// The official C# MCP SDK's server (NuGet ModelContextProtocol.AspNetCore 2.4.0), a server nobody here wrote, hosted
/// in this process on loopback at <c>http://127.0.0.1:PORT/mcp</c>: tools (one of them slow, with progress; two that
/// ask the client for input, by elicitation and by sampling), a resource and a resource template, a prompt, and
/// completion, and a tool whose argument is mirrored in an <c>Mcp-Param-Region</c> header (recorded as received). Stateless mode answers 2026-07-28 clients (and MRTR); stateful mode is the 2025 era with sessions.
/// </summary>
internal sealed class SdkServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SdkServer(WebApplication app, Uri url, ConcurrentQueue<string> regionHeaders)
    {
        _app = app;
        Url = url;
        RegionHeaders = regionHeaders;
    }

    public Uri Url { get; }

    /// <summary>Every <c>Mcp-Param-Region</c> header the server received, as sent.</summary>
    public ConcurrentQueue<string> RegionHeaders { get; }

    public static async Task<SdkServer> StartAsync(HttpServerSessionMode mode)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddMcpServer(o => o.ServerInfo = new Sdk.Implementation { Name = "csharp-sdk", Version = "2.4.0" })
            .WithHttpTransport(o => o.SessionMode = mode)
            .WithTools<SdkTools>()
            .WithResources<SdkResources>()
            .WithPrompts<SdkPrompts>()
            .WithCompleteHandler((context, _) => ValueTask.FromResult(new Sdk.CompleteResult
            {
                Completion = new Sdk.Completion
                {
                    Values = SdkPrompts.Moods.Where(m => m.StartsWith(context.Params!.Argument.Value, StringComparison.Ordinal)).ToList(),
                },
            }));
        var app = builder.Build();
        var regionHeaders = new ConcurrentQueue<string>();
        app.Use(async (context, next) =>
        {
            if (context.Request.Headers.TryGetValue("Mcp-Param-Region", out var region)) regionHeaders.Enqueue(region.ToString());
            await next(context);
        });
        app.MapMcp("/mcp");
        await app.StartAsync().Within("the C# SDK server to start", TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        var port = new Uri(app.Urls.First()).Port;
        return new SdkServer(app, new Uri($"http://127.0.0.1:{port}/mcp"), regionHeaders);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().Within("the C# SDK server to stop", TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}

[McpServerToolType]
internal sealed class SdkTools
{
    [McpServerTool(Name = "echo"), Description("Echoes the input text back to the client.")]
    public static string Echo([Description("Text to echo back.")] string text) => text;

    [McpServerTool(Name = "where"), Description("Names the region it was asked about; the region travels in an Mcp-Param-Region header too.")]
    public static string Where([McpHeader("Region"), Description("A region.")] string region) => $"region {region}";

    [McpServerTool(Name = "slow"), Description("Waits ms milliseconds in ten steps, reporting progress after each.")]
    public static async Task<string> Slow(int ms, IProgress<ModelContextProtocol.ProgressNotificationValue> progress, CancellationToken cancellationToken)
    {
        for (var step = 1; step <= 10; step++)
        {
            await Task.Delay(ms / 10, cancellationToken).ConfigureAwait(false);
            progress.Report(new ModelContextProtocol.ProgressNotificationValue { Progress = step, Total = 10, Message = $"step {step}" });
        }
        return $"waited {ms} ms";
    }

    // Input is asked the way a stateless server must (the SDK's exception API): the first call throws
    // InputRequiredException, which a 2026-07-28 client gets as an input_required result and answers by calling
    // again with inputResponses; for a 2025-era client of a stateful server the SDK sends a real server request instead.

    [McpServerTool(Name = "ask_user"), Description("Asks the user a question (elicitation) and returns the answer.")]
    public static string AskUser(RequestContext<Sdk.CallToolRequestParams> context, string question)
    {
        if (context.Params!.InputResponses?.TryGetValue("answer", out var response) == true)
        {
            var answer = response.Deserialize(Sdk.InputResponse.ElicitResultJsonTypeInfo)!;
            return answer.Action == "accept" && answer.Content?.TryGetValue("answer", out var value) == true
                ? $"The user answered: {value.GetString()}"
                : $"The user chose to {answer.Action}.";
        }
        throw new Sdk.InputRequiredException(new Dictionary<string, Sdk.InputRequest>
        {
            ["answer"] = Sdk.InputRequest.ForElicitation(new Sdk.ElicitRequestParams
            {
                Message = question,
                RequestedSchema = new Sdk.ElicitRequestParams.RequestSchema
                {
                    Properties = new Dictionary<string, Sdk.ElicitRequestParams.PrimitiveSchemaDefinition> { ["answer"] = new Sdk.ElicitRequestParams.StringSchema() },
                },
            }),
        }, requestState: "asked-user");
    }

#pragma warning disable MCP9005 // sampling is deprecated in 2026-07-28, and still what this test exercises
    [McpServerTool(Name = "ask_model"), Description("Asks the client's model a question (sampling) and returns its answer.")]
    public static string AskModel(RequestContext<Sdk.CallToolRequestParams> context, string question)
    {
        if (context.Params!.InputResponses?.TryGetValue("model", out var response) == true)
        {
            var answer = response.Deserialize(Sdk.InputResponse.CreateMessageResultJsonTypeInfo)!;
            return $"{answer.Content.OfType<Sdk.TextContentBlock>().FirstOrDefault()?.Text} (model {answer.Model})";
        }
        throw new Sdk.InputRequiredException(new Dictionary<string, Sdk.InputRequest>
        {
            ["model"] = Sdk.InputRequest.ForSampling(new Sdk.CreateMessageRequestParams
            {
                Messages = [new Sdk.SamplingMessage { Role = Sdk.Role.User, Content = [new Sdk.TextContentBlock { Text = question }] }],
                MaxTokens = 50,
            }),
        }, requestState: "asked-model");
    }
#pragma warning restore MCP9005
}

[McpServerResourceType]
internal sealed class SdkResources
{
    [McpServerResource(UriTemplate = "sdk://greeting", Name = "greeting", MimeType = "text/plain"), Description("A fixed greeting.")]
    public static string Greeting() => "hello from the C# SDK";

    [McpServerResource(UriTemplate = "sdk://items/{id}", Name = "item", MimeType = "text/plain"), Description("An item by id.")]
    public static string Item(string id) => $"item {id}";
}

[McpServerPromptType]
internal sealed class SdkPrompts
{
    public static readonly string[] Moods = ["cheerful", "calm", "grumpy"];

    [McpServerPrompt(Name = "greet"), Description("A greeting in a mood.")]
    public static string Greet([Description("Who to greet.")] string name, [Description("cheerful, calm or grumpy.")] string mood) =>
        $"Greet {name} in a {mood} way.";
}
