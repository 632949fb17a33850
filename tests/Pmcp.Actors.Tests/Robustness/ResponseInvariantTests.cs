using System.Net;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Tests.Support;
using Xunit.Sdk;

namespace Pmcp.Actors.Tests.Robustness;

/// <summary>
/// The one-response-per-id check that every <see cref="McpTestClient"/> runs on dispose can fail: against a scripted
/// server that answers the method <c>twice</c> twice and never answers <c>silent</c>.
/// </summary>
public sealed class ResponseInvariantTests
{
    [Fact]
    public async Task McpTestClient_FailsOnDispose_WhenAnIdIsAnsweredTwice()
    {
        await using var server = await ScriptedServer.StartAsync();
        var client = await McpTestClient.ConnectAsync(server.Uri);

        await client.RequestAsync("twice");
        (await client.RequestAsync("once")).EnsureSuccess(); // the duplicate came before this answer

        var failure = await Assert.ThrowsAsync<XunitException>(async () => await client.DisposeAsync());
        Assert.Contains("answered 2 times for 1 request", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task McpTestClient_ReportsUnansweredRequest_WhenSocketStaysOpen()
    {
        await using var server = await ScriptedServer.StartAsync();
        var client = await McpTestClient.ConnectAsync(server.Uri);
        var silent = await client.StartRequestAsync("silent");
        (await client.RequestAsync("once")).EnsureSuccess();

        var failure = await Assert.ThrowsAsync<XunitException>(() => client.AssertEachRequestAnsweredOnceAsync(TimeSpan.FromMilliseconds(200)));
        Assert.Contains($"ids {WireMessage.IdKey(silent.Id)}", failure.Message, StringComparison.Ordinal);

        client.RequireEveryRequestAnswered = false; // checked above; dispose need not wait for it again
        await Assert.ThrowsAsync<XunitException>(async () => await client.DisposeAsync());
    }

    [Fact]
    public async Task McpTestClient_PassesOnDispose_WhenTheOnlyUnansweredRequestWasCancelled()
    {
        await using var server = await ScriptedServer.StartAsync();
        var client = await McpTestClient.ConnectAsync(server.Uri);
        var silent = await client.StartRequestAsync("silent");
        await client.NotifyAsync("notifications/cancelled", new JObject { ["requestId"] = silent.Id });
        (await client.RequestAsync("once")).EnsureSuccess();

        await client.DisposeAsync();

        Assert.Empty(client.Violations);
    }

    /// <summary>A WebSocket endpoint that answers JSON-RPC requests by a script: "twice", "silent", anything else once.</summary>
    private sealed class ScriptedServer : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private ScriptedServer(WebApplication app)
        {
            _app = app;
            Uri = new UriBuilder(app.Urls.First()) { Scheme = "ws", Path = "/mcp" }.Uri;
        }

        public Uri Uri { get; }

        public static async Task<ScriptedServer> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            app.UseWebSockets();
            app.Map("/mcp", (Func<HttpContext, Task>)(async context =>
            {
                using var socket = await context.WebSockets.AcceptWebSocketAsync("mcp");
                var buffer = new byte[64 * 1024];
                while (true)
                {
                    var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
                        return;
                    }

                    var request = JObject.Parse(Encoding.UTF8.GetString(buffer, 0, result.Count));
                    if (request["id"] is not { } id)
                    {
                        continue;
                    }

                    var answer = Encoding.UTF8.GetBytes(new JObject { ["jsonrpc"] = "2.0", ["id"] = id, ["result"] = new JObject() }.ToString(Newtonsoft.Json.Formatting.None));
                    var times = (string?)request["method"] switch { "twice" => 2, "silent" => 0, _ => 1 };
                    for (var i = 0; i < times; i++)
                    {
                        await socket.SendAsync(answer, WebSocketMessageType.Text, true, CancellationToken.None);
                    }
                }
            }));
            await app.StartAsync().Within(Deadline.Default, "the scripted server to start");
            return new ScriptedServer(app);
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync().Within(Deadline.Default, "the scripted server to stop");
            await _app.DisposeAsync();
        }
    }
}
