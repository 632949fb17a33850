using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Newtonsoft.Json.Linq;
using Pmcp.Client.Tests.Support;
using Pmcp.Protocol;

namespace Pmcp.Client.Tests;

/// <summary>
/// A 2025-era Streamable HTTP server that numbers its SSE events and drops a call's stream before the answer: the
/// client resumes it with a GET carrying <c>Last-Event-ID</c>, and gets the answer there.
/// </summary>
public sealed class ResumptionTests : IAsyncLifetime
{
    private const string Session = "session-1";
    private readonly ConcurrentQueue<string> _lastEventIds = new();
    private WebApplication _app = null!;
    private Uri _url = null!;
    private JToken? _pendingCallId; // the id of the call whose stream is resumed

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.Map("/mcp", HandleAsync);
        await _app.StartAsync().Within("the resumable server to start");
        _url = new Uri($"http://127.0.0.1:{new Uri(_app.Urls.First()).Port}/mcp");
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task ABrokenCallStream_IsResumedWithLastEventId_AndTheAnswerArrives()
    {
        await using var client = await McpClient.ConnectAsync(
            new StreamableHttpConfig(_url) { RequestTimeout = Deadline.Default, ReconnectDelay = TimeSpan.FromMilliseconds(20) },
            ClientCapabilities.Minimal()).Within("connect");
        var progress = new ListProgress();

        var result = await client.CallToolAsync("slow", progress: progress).Within("the call, across the resumed stream");

        Assert.Equal("resumed answer", ((TextContent)result.Content[0]).Text);
        Assert.Equal(["call-1"], _lastEventIds);
        Assert.Equal(50, Assert.Single(progress.Reports).Progress);
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.Method == "GET")
        {
            if (request.Headers["Last-Event-ID"].ToString() is not { Length: > 0 } lastEventId)
            {
                context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed; // no standalone stream
                return;
            }
            _lastEventIds.Enqueue(lastEventId);
            await SseAsync(context, ("call-2", new JObject
            {
                ["jsonrpc"] = "2.0",
                ["id"] = _pendingCallId,
                ["result"] = new JObject { ["content"] = new JArray(new JObject { ["type"] = "text", ["text"] = "resumed answer" }) },
            }));
            return;
        }
        if (request.Method == "DELETE")
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            return;
        }

        var message = JObject.Parse(await new StreamReader(request.Body).ReadToEndAsync());
        var method = (string?)message["method"];
        if (method == McpMethods.Initialize)
        {
            context.Response.Headers["Mcp-Session-Id"] = Session;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(new JObject
            {
                ["jsonrpc"] = "2.0",
                ["id"] = message["id"],
                ["result"] = new JObject
                {
                    ["protocolVersion"] = McpProtocolVersions.Latest,
                    ["capabilities"] = new JObject { ["tools"] = new JObject() },
                    ["serverInfo"] = new JObject { ["name"] = "resumable", ["version"] = "1" },
                },
            }.ToString());
            return;
        }
        if (request.Headers["Mcp-Session-Id"] != Session)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest; // as a 2025-era server answers server/discover
            return;
        }
        if (message["id"] is null)
        {
            context.Response.StatusCode = StatusCodes.Status202Accepted;
            return;
        }
        // tools/call: one numbered progress event, then the stream ends without the answer.
        _pendingCallId = message["id"]!.DeepClone();
        await SseAsync(context, ("call-1", new JObject
        {
            ["jsonrpc"] = "2.0",
            ["method"] = McpMethods.Progress,
            ["params"] = new JObject { ["progressToken"] = message["params"]!["_meta"]!["progressToken"], ["progress"] = 50, ["total"] = 100 },
        }));
    }


    private static async Task SseAsync(HttpContext context, params (string Id, JObject Data)[] events)
    {
        context.Response.ContentType = "text/event-stream";
        foreach (var (id, data) in events)
            await context.Response.WriteAsync($"id: {id}\nretry: 10\nevent: message\ndata: {data.ToString(Newtonsoft.Json.Formatting.None)}\n\n");
    }
}
