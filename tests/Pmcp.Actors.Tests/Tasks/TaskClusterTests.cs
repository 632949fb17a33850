using Akka.Cluster;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Cluster;
using Pmcp.Actors.Tests.Cluster;
using Pmcp.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Tasks;

/// <summary>
/// Two gateways in one in-process cluster (each also runs tools, so each hosts task entities), sharing the task store:
/// a task is found by its id from either, wherever its entity lives.
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
        await using var a = await TaskServers.StartAsync(_data.Path, output, open, Node([]));
        var seed = Akka.Cluster.Cluster.Get(a.ActorSystem).SelfAddress.ToString();
        await using var b = await TaskServers.StartAsync(_data.Path, output, open, Node([seed]));
        await ClusterNodes.Poll(() => Task.FromResult(Akka.Cluster.Cluster.Get(a.ActorSystem).State.Members.Count(m => m.Status == MemberStatus.Up) == 2),
            "both nodes to be up");

        await using var throughA = await a.ConnectAsync(initialize: false);
        await using var throughB = await b.ConnectAsync(initialize: false);
        var ids = new List<string>();
        for (var i = 0; i < 6; i++) // six tasks: their entities spread over both nodes' shards
            ids.Add((string)(await throughA.RequestAsync("tools/call", TaskServers.WithTasks(new JObject { ["name"] = "hold" }), TaskServers.Slow)).EnsureSuccess().Result!["taskId"]!);

        foreach (var id in ids)
        {
            var task = await TaskServers.AwaitStatusAsync(throughB, id, "completed", ClusterNodes.ClusterDeadline);
            Assert.Equal("released", (string?)task["result"]!["content"]![0]!["text"]);
        }
    }

    private static McpClusterOptions Node(List<string> seeds) =>
        new() { Enabled = true, Role = McpNodeRole.Both, Hostname = "127.0.0.1", RemotePort = 0, SeedNodes = seeds };
}
