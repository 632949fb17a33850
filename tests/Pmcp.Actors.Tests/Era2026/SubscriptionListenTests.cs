using System.Net;
using System.Net.ServerSentEvents;
using Microsoft.Extensions.DependencyInjection;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Hosting;
using Pmcp.Actors.Server;
using Pmcp.Actors.Tests.Support;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Era2026;

/// <summary>
/// <c>subscriptions/listen</c> (2026-07-28) on real sockets: acknowledged with the filter the server agreed to, then the
/// list changes and resource updates asked for, each naming the listen in <c>_meta</c>, on the socket or on the
/// listen's own POST stream; ended by the client's <c>notifications/cancelled</c>.
/// </summary>
public sealed class SubscriptionListenTests(ITestOutputHelper output)
{
    private const string SubscriptionId = "io.modelcontextprotocol/subscriptionId";

    private Task<TestServer> StartAsync() =>
        TestServer.StartAsync(configureServer: mcp => mcp.AddDemoFeatures(), configureOptions: o => o.ServeStatelessEra = true, output: output);

    private static JObject Listen(JObject notifications) => ModernRequests.Params(new JObject { ["notifications"] = notifications });

    private static McpToolDefinition LateTool(string name) =>
        new(name, McpToolDefinition.EmptyInputSchema(), (_, _) => Task.FromResult(CallToolResult.Text("late")));

    [Fact]
    public async Task ListenOnASocket_IsAcknowledged_ThenCarriesWhatItAskedFor_UntilCancelled()
    {
        await using var server = await StartAsync();
        await using var client = await server.ConnectAsync(initialize: false);
        client.RequireEveryRequestAnswered = false; // a cancelled listen gets no response
        var runtime = server.App.Services.GetRequiredService<McpServerRuntime>();

        await client.StartRequestAsync("subscriptions/listen", Listen(new JObject
        {
            ["toolsListChanged"] = true,
            ["resourceSubscriptions"] = new JArray("demo://readme"),
        }), id: "listen-1");
        var ack = await client.ReadNotificationAsync();
        await runtime.AddToolAsync(LateTool("late-tool"));
        var toolsChanged = await client.ReadNotificationAsync();
        await runtime.NotifyResourceUpdatedAsync("demo://readme");
        var updated = await client.ReadNotificationAsync();
        await client.NotifyAsync("notifications/cancelled", new JObject { ["requestId"] = "listen-1" });
        var afterCancel = await client.RequestAsync("tools/list", ModernRequests.Params()); // the socket still serves requests

        Assert.Equal("notifications/subscriptions/acknowledged", ack.Method);
        Assert.Equal("listen-1", (string?)ack.Params!["_meta"]![SubscriptionId]);
        Assert.True((bool)ack.Params!["notifications"]!["toolsListChanged"]!);
        Assert.Equal(["demo://readme"], ack.Params!["notifications"]!["resourceSubscriptions"]!.Values<string>());
        Assert.Null(ack.Params!["notifications"]!["promptsListChanged"]); // not asked for: not agreed
        Assert.Equal("notifications/tools/list_changed", toolsChanged.Method);
        Assert.Equal("listen-1", (string?)toolsChanged.Params!["_meta"]![SubscriptionId]);
        Assert.Equal("notifications/resources/updated", updated.Method);
        Assert.Equal("demo://readme", (string?)updated.Params!["uri"]);
        Assert.Equal("listen-1", (string?)updated.Params!["_meta"]![SubscriptionId]);
        Assert.Contains(afterCancel.EnsureSuccess().Result!["tools"]!, t => (string?)t["name"] == "late-tool");
        Assert.DoesNotContain(client.Received, m => m.Method is null && (string?)m.Id == "listen-1"); // cancelled: no response
    }

    [Fact]
    public async Task ListenOverHttp_KeepsItsPostStreamOpen_AsTheStreamOfItsNotifications()
    {
        await using var server = await StartAsync();
        await using var client = new McpHttpTestClient(server.McpHttpUri);
        var runtime = server.App.Services.GetRequiredService<McpServerRuntime>();

        using var response = await client.SendAsync(ModernHttp.Post(client, 5, "subscriptions/listen", Listen(new JObject { ["toolsListChanged"] = true })));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        await using var stream = await response.Content.ReadAsStreamAsync();
        await using var events = SseParser.Create(stream).EnumerateAsync().GetAsyncEnumerator();

        var ack = await NextAsync(events);
        await runtime.AddToolAsync(LateTool("late-http-tool"));
        var changed = await NextAsync(events);

        Assert.Equal("notifications/subscriptions/acknowledged", (string?)ack["method"]);
        Assert.Equal(5, (int)ack["params"]!["_meta"]![SubscriptionId]!);
        Assert.Equal("notifications/tools/list_changed", (string?)changed["method"]);
        Assert.Equal(5, (int)changed["params"]!["_meta"]![SubscriptionId]!);
    }

    [Fact]
    public async Task ListenWithoutAFilter_IsInvalidParams()
    {
        await using var server = await StartAsync();
        await using var client = await server.ConnectAsync(initialize: false);

        var answer = await client.RequestAsync("subscriptions/listen", ModernRequests.Params(new JObject { ["notifications"] = new JObject { ["resourceSubscriptions"] = "demo://readme" } }));

        Assert.Equal(-32602, answer.ErrorCode);
    }

    private static async Task<JObject> NextAsync(IAsyncEnumerator<SseItem<string>> events)
    {
        while (await events.MoveNextAsync().AsTask().Within(Deadline.Default, "the next event of the listen stream"))
            if (!string.IsNullOrEmpty(events.Current.Data)) return JObject.Parse(events.Current.Data);
        throw new InvalidOperationException("The listen stream ended.");
    }
}
