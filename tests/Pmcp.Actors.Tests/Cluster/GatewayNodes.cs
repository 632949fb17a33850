using Akka.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Cluster;
using Pmcp.Actors.Tests.Support;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Cluster;

/// <summary>
/// Gateways of one cluster in this process on 127.0.0.1, each serving MCP over HTTP and running tools (role both), with
/// the test's header authentication (<see cref="HeaderAuthenticationHandler"/>) in front of the endpoint. The first
/// starts the cluster; the others join it. Every node registers <c>steps</c>: <c>n</c> progress notifications, then
/// the name of the node that ran it.
/// </summary>
internal sealed class GatewayNodes : IAsyncDisposable
{
    private GatewayNodes(TestServer[] nodes) => Nodes = nodes;

    public TestServer[] Nodes { get; }

    public static async Task<GatewayNodes> StartAsync(int count, ITestOutputHelper output)
    {
        var nodes = new List<TestServer>();
        try
        {
            nodes.Add(await StartNodeAsync("A", [], output).ConfigureAwait(false));
            var seed = Akka.Cluster.Cluster.Get(nodes[0].ActorSystem).SelfAddress.ToString();
            for (var i = 1; i < count; i++) nodes.Add(await StartNodeAsync(((char)('A' + i)).ToString(), [seed], output).ConfigureAwait(false));
            var cluster = new GatewayNodes([.. nodes]);
            await cluster.AwaitMembersAsync(count).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            foreach (var node in nodes) await node.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static Task<TestServer> StartNodeAsync(string name, List<string> seeds, ITestOutputHelper output) => TestServer.StartAsync(
        mcp => mcp.Tool(new McpToolDefinition("steps", new JObject
        {
            ["type"] = "object",
            ["properties"] = new JObject { ["n"] = new JObject { ["type"] = "integer" } },
        }, (args, context) =>
        {
            var n = (int?)args["n"] ?? 1;
            for (var i = 1; i <= n; i++) context.Progress.Report(i, n, $"step {i} on {name}");
            return Task.FromResult(CallToolResult.Text(name));
        })),
        o =>
        {
            o.DrainTimeout = TimeSpan.FromSeconds(5);
            o.ProgressInterval = TimeSpan.Zero; // every progress notification goes: the test counts them
        },
        output,
        configureHost: HeaderAuthenticationHandler.AddTo,
        configureApp: HeaderAuthenticationHandler.UseIn,
        cluster: new McpClusterOptions { Enabled = true, Role = McpNodeRole.Both, Hostname = "127.0.0.1", RemotePort = 0, SeedNodes = seeds },
        configureAkka: akka => akka.AddHocon("akka.cluster.run-coordinated-shutdown-when-down = off", HoconAddMode.Prepend));

    /// <summary>Waits until every running node sees <paramref name="count"/> members up.</summary>
    public Task AwaitMembersAsync(int count, IEnumerable<TestServer>? watching = null) => ClusterNodes.Poll(
        () => Task.FromResult((watching ?? Nodes).All(node =>
            Akka.Cluster.Cluster.Get(node.ActorSystem).State.Members.Count(m => m.Status == Akka.Cluster.MemberStatus.Up) == count)),
        $"every gateway to see {count} members up");

    public async ValueTask DisposeAsync()
    {
        // The joiners first, gracefully, then the seed.
        await Task.WhenAll(Nodes.Skip(1).Select(n => n.DisposeAsync().AsTask())).ConfigureAwait(false);
        await Nodes[0].DisposeAsync().ConfigureAwait(false);
    }
}
