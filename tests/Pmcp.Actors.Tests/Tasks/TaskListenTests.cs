using System.Net;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using Microsoft.AspNetCore.Builder;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Hosting;
using Pmcp.Actors.Security;
using Pmcp.Actors.Tests.Era2026;
using Pmcp.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Tasks;

/// <summary>
/// 2026-07-28 task status notifications over real HTTP: a <c>subscriptions/listen</c> whose filter names
/// <c>taskIds</c> is acknowledged with them, then told <c>notifications/tasks</c> (the task as <c>tasks/get</c> shows it)
/// as the task is when the listen opens and at each change of its status, on the listen's own POST stream. Only tasks
/// its caller may see: another caller's task id is agreed to like any id and tells nothing (and tasks/get of it is
/// -32602, as for an id nobody made).
/// </summary>
public sealed class TaskListenTests(ITestOutputHelper output) : IDisposable
{
    private const string SubscriptionId = "io.modelcontextprotocol/subscriptionId";
    private readonly TempFolder _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task ListenNamingATask_IsToldItAsItIsNow_ThenItsEnd_WithTheResultAsTasksGetShowsIt()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await TaskServers.StartAsync(_data.Path, output, gate);
        await using var client = new McpHttpTestClient(server.McpHttpUri) { HeadersDeadline = TaskServers.Slow };
        var taskId = await CreateAsync(client, "hold");

        using var listen = await client.SendAsync(ModernHttp.Post(client, 7, "subscriptions/listen",
            TaskServers.WithTasks(new JObject { ["notifications"] = new JObject { ["taskIds"] = new JArray(taskId, "no-such-task") } })));
        Assert.Equal(HttpStatusCode.OK, listen.StatusCode);
        await using var stream = await listen.Content.ReadAsStreamAsync();
        await using var events = SseParser.Create(stream).EnumerateAsync().GetAsyncEnumerator();
        var ack = await NextAsync(events);
        var working = await NextAsync(events);
        gate.SetResult();
        var completed = await NextAsync(events);
        var (_, get, _) = await ModernHttp.SendAsync(client, ModernHttp.Post(client, 8, "tasks/get", TaskServers.WithTasks(new JObject { ["taskId"] = taskId }), nameHeader: taskId));

        Assert.True(get["result"] is JObject, "tasks/get: " + get);
        Assert.Equal("notifications/subscriptions/acknowledged", (string?)ack["method"]);
        Assert.Equal([taskId, "no-such-task"], ack["params"]!["notifications"]!["taskIds"]!.Values<string>()); // agreed like any id: nothing revealed
        Assert.Equal("notifications/tasks", (string?)working["method"]);
        Assert.Equal(taskId, (string?)working["params"]!["taskId"]);
        Assert.Equal("working", (string?)working["params"]!["status"]);
        Assert.Equal(7, (int)working["params"]!["_meta"]![SubscriptionId]!);
        Assert.Equal("notifications/tasks", (string?)completed["method"]);
        Assert.Equal("completed", (string?)completed["params"]!["status"]);
        Assert.Equal(7, (int)completed["params"]!["_meta"]![SubscriptionId]!);
        foreach (var field in new[] { "taskId", "status", "createdAt", "lastUpdatedAt", "ttlMs", "pollIntervalMs", "result" })
            Assert.True(JToken.DeepEquals(get["result"]![field], completed["params"]![field]), $"{field}: tasks/get {get["result"]![field]}, notification {completed["params"]![field]}");
        Assert.Equal("released", (string?)completed["params"]!["result"]!["content"]![0]!["text"]);
    }

    [Fact]
    public async Task ListenNamingAnotherCallersTask_IsToldNothingOfIt_ButOfItsOwn()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await TaskServers.StartAsync(_data.Path, output, gate,
            configureHost: host => host.Services.AddMcpBearerTokenAuthentication(
                [new McpBearerToken { Token = "token-ada", Name = "ada" }, new McpBearerToken { Token = "token-bob", Name = "bob" }]),
            configureApp: app =>
            {
                app.UseAuthentication();
                app.UseAuthorization();
            },
            configureEndpoint: endpoint => endpoint.RequireAuthorization());
        await using var client = new McpHttpTestClient(server.McpHttpUri) { HeadersDeadline = TaskServers.Slow };
        var adas = await CreateAsync(client, "hold", "token-ada");
        var bobs = await CreateAsync(client, "hold", "token-bob");

        var listen = ModernHttp.Post(client, 9, "subscriptions/listen",
            TaskServers.WithTasks(new JObject { ["notifications"] = new JObject { ["taskIds"] = new JArray(adas, bobs) } }));
        listen.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "token-bob");
        using var response = await client.SendAsync(listen);
        await using var stream = await response.Content.ReadAsStreamAsync();
        await using var events = SseParser.Create(stream).EnumerateAsync().GetAsyncEnumerator();
        var seen = new List<JObject> { await NextAsync(events), await NextAsync(events) }; // the ack, and bob's task as it is now
        gate.SetResult();
        // Ada's task, if it leaked, would have told its state at the watch, before bob's task ended.
        while ((string?)seen[^1]["params"]?["status"] != "completed") seen.Add(await NextAsync(events));

        var peek = ModernHttp.Post(client, 10, "tasks/get", TaskServers.WithTasks(new JObject { ["taskId"] = adas }), nameHeader: adas);
        peek.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "token-bob");
        var (_, bobsGetOfAdas, _) = await ModernHttp.SendAsync(client, peek);

        Assert.Equal(-32602, (int?)bobsGetOfAdas["error"]?["code"]); // tasks/get of another caller's task: as for an id nobody made
        Assert.Equal($"Unknown task: {adas}", (string?)bobsGetOfAdas["error"]!["message"]);
        Assert.Null(bobsGetOfAdas["result"]);
        Assert.Equal([adas, bobs], seen[0]["params"]!["notifications"]!["taskIds"]!.Values<string>());
        Assert.All(seen.Skip(1), note => Assert.Equal(bobs, (string?)note["params"]!["taskId"]));
        Assert.Equal(["working", "completed"], seen.Skip(1).Select(n => (string?)n["params"]!["status"]));
    }

    [Fact]
    public async Task ListenNamingTasks_WithoutTheTasksExtension_IsMissingACapability_AndTooManyIds_AreInvalidParams()
    {
        await using var server = await TaskServers.StartAsync(_data.Path, output);
        await using var client = await server.ConnectAsync(initialize: false);

        var undeclared = await client.RequestAsync("subscriptions/listen", ModernRequests.Params(new JObject { ["notifications"] = new JObject { ["taskIds"] = new JArray("t") } }));
        var tooMany = await client.RequestAsync("subscriptions/listen", TaskServers.WithTasks(new JObject
        {
            ["notifications"] = new JObject { ["taskIds"] = new JArray(Enumerable.Range(0, 101).Select(i => "t" + i)) },
        }));

        Assert.Equal(-32021, undeclared.ErrorCode);
        Assert.NotNull(undeclared.Error!["data"]!["requiredCapabilities"]!["extensions"]!["io.modelcontextprotocol/tasks"]);
        Assert.Equal(-32602, tooMany.ErrorCode);
        Assert.Contains("at most 100 taskIds", (string?)tooMany.Error!["message"], StringComparison.Ordinal);
    }

    private static async Task<string> CreateAsync(McpHttpTestClient client, string tool, string? bearer = null)
    {
        var request = ModernHttp.Post(client, 1, "tools/call", TaskServers.WithTasks(new JObject { ["name"] = tool }), nameHeader: tool);
        if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        var (status, body, _) = await ModernHttp.SendAsync(client, request);
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        return (string?)body["result"]?["taskId"] ?? throw new InvalidOperationException("no task made: " + body);
    }

    private static async Task<JObject> NextAsync(IAsyncEnumerator<SseItem<string>> events)
    {
        while (await events.MoveNextAsync().AsTask().Within(TaskServers.Slow, "the next event of the listen stream"))
            if (!string.IsNullOrEmpty(events.Current.Data)) return JObject.Parse(events.Current.Data);
        throw new InvalidOperationException("The listen stream ended.");
    }
}
