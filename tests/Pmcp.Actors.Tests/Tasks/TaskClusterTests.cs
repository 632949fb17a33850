using System.Net.ServerSentEvents;
using Akka.Cluster;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Tests.Era2026;
using Pmcp.Actors.Cluster;
using Pmcp.Actors.Tests.Cluster;
using Pmcp.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Tasks;

/// <summary>
/// Two gateways in one in-process cluster (each also runs tools, so each hosts task entities), sharing the task store:
/// a task is found by its id from either, wherever its entity lives, and a listen through either is told of it.
/// </summary>
public sealed class TaskClusterTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task TasksStartedThroughGatewayA_AreReadThroughGatewayB()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        await using var a = await TaskServers.StartAsync(_data.Path, output, open, TaskServers.Node([]));
        await using var b = await TaskServers.JoinAsync(a, _data.Path, output, open);
        await TaskServers.StartedThroughAAreReadThroughBAsync(a, b);
    }

    [Fact]
    public async Task ListenThroughGatewayB_IsToldTheStatusOfTasksStartedThroughGatewayA_WhereverTheyRun()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var a = await TaskServers.StartAsync(_data.Path, output, gate, TaskServers.Node([]));
        await using var b = await TaskServers.JoinAsync(a, _data.Path, output, gate);
        await using var throughA = await a.ConnectAsync(initialize: false);
        var ids = new List<string>();
        for (var i = 0; i < 6; i++) // six tasks: their entities spread over both nodes' shards, so some tell a listener on the other node
            ids.Add((string)(await throughA.RequestAsync("tools/call", TaskServers.WithTasks(new JObject { ["name"] = "hold" }), TaskServers.Slow)).EnsureSuccess().Result!["taskId"]!);

        await using var throughB = new McpHttpTestClient(b.McpHttpUri) { HeadersDeadline = ClusterNodes.ClusterDeadline };
        using var listen = await throughB.SendAsync(ModernHttp.Post(throughB, 3, "subscriptions/listen",
            TaskServers.WithTasks(new JObject { ["notifications"] = new JObject { ["taskIds"] = new JArray(ids) } })));
        await using var stream = await listen.Content.ReadAsStreamAsync();
        await using var events = SseParser.Create(stream).EnumerateAsync().GetAsyncEnumerator();
        var ack = await NextAsync(events);
        var working = new List<JObject>();
        for (var i = 0; i < ids.Count; i++) working.Add(await NextAsync(events));
        gate.SetResult();
        var completed = new List<JObject>();
        for (var i = 0; i < ids.Count; i++) completed.Add(await NextAsync(events));

        Assert.Equal(ids.Order(), ack["params"]!["notifications"]!["taskIds"]!.Values<string>().Order());
        Assert.Equal(ids.Order(), working.Select(n => (string?)n["params"]!["taskId"]).Order());
        Assert.All(working, n => Assert.Equal("working", (string?)n["params"]!["status"]));
        Assert.Equal(ids.Order(), completed.Select(n => (string?)n["params"]!["taskId"]).Order());
        Assert.All(completed, n => Assert.Equal("released", (string?)n["params"]!["result"]!["content"]![0]!["text"]));
    }

    private static async Task<JObject> NextAsync(IAsyncEnumerator<SseItem<string>> events)
    {
        while (await events.MoveNextAsync().AsTask().Within(ClusterNodes.ClusterDeadline, "the next event of the listen stream"))
            if (!string.IsNullOrEmpty(events.Current.Data)) return JObject.Parse(events.Current.Data);
        throw new InvalidOperationException("The listen stream ended.");
    }
}
