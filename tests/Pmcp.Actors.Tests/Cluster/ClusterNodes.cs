using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Runtime;
using Pmcp.Actors.Cluster;
using Pmcp.Actors.Hosting;
using Pmcp.Actors.Tests.Support;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Cluster;

/// <summary>
/// A cluster in this process on 127.0.0.1: one gateway (which starts the cluster by joining itself) and tools nodes
/// that join it, each a <see cref="TestServer"/> with Akka.Remote on a free port. Every node registers the same tools;
/// the <c>where</c> tool waits <c>ms</c> milliseconds and answers with its node's name, so a test sees where calls ran.
/// With <c>hold: true</c> it waits instead until the test opens its node's gate (<see cref="Release"/>) or the call is
/// cancelled, so a test can keep calls running across an event however slow the machine is.
/// </summary>
internal sealed class ClusterNodes : IAsyncDisposable
{
    /// <summary>Joining, gossip and failure detection on a loaded 2-core machine: generous.</summary>
    public static readonly TimeSpan ClusterDeadline = TimeSpan.FromSeconds(60);

    private readonly Dictionary<string, TaskCompletionSource> _gates;

    private ClusterNodes(TestServer gateway, TestServer[] tools, Dictionary<string, TaskCompletionSource> gates)
    {
        Gateway = gateway;
        Tools = tools;
        _gates = gates;
    }

    public TestServer Gateway { get; }

    public TestServer[] Tools { get; }

    /// <param name="gatewayRole"><see cref="McpNodeRole.Both"/>: the gateway runs tools too, and counts as a tools node.</param>
    public static async Task<ClusterNodes> StartAsync(int toolNodes, ITestOutputHelper output, McpNodeRole gatewayRole = McpNodeRole.Gateway)
    {
        var gates = new Dictionary<string, TaskCompletionSource>();
        var gateway = await StartNodeAsync("gateway", gatewayRole, [], gates, output).ConfigureAwait(false);
        var tools = new List<TestServer>();
        try
        {
            var seed = Akka.Cluster.Cluster.Get(gateway.ActorSystem).SelfAddress.ToString();
            for (var i = 1; i <= toolNodes; i++) tools.Add(await StartNodeAsync($"tools-{i}", McpNodeRole.Tools, [seed], gates, output).ConfigureAwait(false));
            var nodes = new ClusterNodes(gateway, [.. tools], gates);
            await nodes.AwaitToolNodesAsync(toolNodes + (gatewayRole == McpNodeRole.Both ? 1 : 0)).ConfigureAwait(false);
            return nodes;
        }
        catch
        {
            foreach (var node in tools) await node.DisposeAsync().ConfigureAwait(false);
            await gateway.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static Task<TestServer> StartNodeAsync(string name, McpNodeRole role, List<string> seeds, Dictionary<string, TaskCompletionSource> gates, ITestOutputHelper output)
    {
        var gate = gates[name] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return TestServer.StartAsync(
            mcp => mcp.Tool(WhereTool("where", name, gate))
                .Tool(WhereTool("where-again", name, gate) with { Idempotent = true })
                .Tool(WhereTool("where-briefly", name, gate) with { Timeout = TimeSpan.FromSeconds(1) }),
            o => o.DrainTimeout = TimeSpan.FromSeconds(10),
            output,
            cluster: new McpClusterOptions { Enabled = true, Role = role, Hostname = "127.0.0.1", RemotePort = 0, SeedNodes = seeds },
            // A downed node keeps running, as one cut off by a network partition would: the gateway alone decides it is gone.
            configureAkka: akka => akka.AddHocon("akka.cluster.run-coordinated-shutdown-when-down = off", HoconAddMode.Prepend));
    }

    private static McpToolDefinition WhereTool(string tool, string node, TaskCompletionSource gate) => new(tool, new JObject
    {
        ["type"] = "object",
        ["properties"] = new JObject { ["ms"] = new JObject { ["type"] = "integer" }, ["hold"] = new JObject { ["type"] = "boolean" } },
    }, async (args, context) =>
    {
        if ((bool?)args["hold"] == true) await gate.Task.WaitAsync(context.CancellationToken).ConfigureAwait(false);
        else await Task.Delay((int?)args["ms"] ?? 0, context.CancellationToken).ConfigureAwait(false);
        context.Progress.Report(1, 1, "done on " + node);
        context.Logger.LogInformation("ran on {Node}", node);
        return CallToolResult.Text(node);
    });

    /// <summary>Lets every held call on <paramref name="node"/> finish, and every later one run through.</summary>
    public void Release(string node) => _gates[node].TrySetResult();

    /// <summary>Waits until the gateway sends calls to <paramref name="count"/> tools nodes.</summary>
    public async Task AwaitToolNodesAsync(int count)
    {
        var router = await Gateway.App.Services.GetRequiredService<McpServerRuntime>().ToolRouterAsync().ConfigureAwait(false);
        await Poll(async () => (await router.Ask<ClusterProtocol.ToolNodes>(ClusterProtocol.GetToolNodes.Instance, TimeSpan.FromSeconds(10)).ConfigureAwait(false)).Addresses.Count == count,
            $"the gateway to see {count} tools nodes").ConfigureAwait(false);
    }

    /// <summary>Waits until the gateway tracks <paramref name="count"/> calls (0: each tools node has said its worker ended).</summary>
    public async Task AwaitCallsInFlightAsync(int count = 0)
    {
        var router = await Gateway.App.Services.GetRequiredService<McpServerRuntime>().ToolRouterAsync().ConfigureAwait(false);
        await Poll(async () => (await router.Ask<ClusterProtocol.ToolNodes>(ClusterProtocol.GetToolNodes.Instance, TimeSpan.FromSeconds(10)).ConfigureAwait(false)).CallsInFlight == count,
            $"the gateway to track {count} calls").ConfigureAwait(false);
    }

    /// <summary>Polls <paramref name="condition"/> until it holds or <see cref="ClusterDeadline"/> passes.</summary>
    public static Task Poll(Func<Task<bool>> condition, string what) => Deadline.UntilAsync(condition, () => "waiting for " + what, ClusterDeadline);

    public async ValueTask DisposeAsync()
    {
        // Tools nodes first, gracefully: each leaves the cluster before the gateway goes.
        await Task.WhenAll(Tools.Select(t => t.DisposeAsync().AsTask())).ConfigureAwait(false);
        await Gateway.DisposeAsync().ConfigureAwait(false);
    }
}
