using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pmcp.Actors.Messages;
using Pmcp.Actors.Runtime;
using Pmcp.Actors.Cluster;

namespace Pmcp.Actors.Hosting;

/// <summary>
/// Starts the MCP actors in an ActorSystem: what <see cref="McpAkkaHostingExtensions.WithMcpServer"/> does through
/// Akka.Hosting, for a system you made yourself (a test kit's, or one built without Akka.Hosting).
/// </summary>
public static class McpServerActors
{
    /// <summary>
    /// Starts the tool router at <c>/user/pmcp-tools</c> and the server actor at <c>/user/pmcp</c> in
    /// <paramref name="system"/> and registers them in its <see cref="ActorRegistry"/>, where
    /// <paramref name="runtime"/> (made with <c>ActorRegistry.For(system)</c>) finds them.
    /// </summary>
    public static void Start(ActorSystem system, McpServerRuntime runtime, ILoggerFactory? loggers = null, McpClusterOptions? cluster = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(runtime);
        loggers ??= NullLoggerFactory.Instance;
        var clustered = cluster is { Enabled: true };
        var registry = ActorRegistry.For(system);
        runtime.Cluster = clustered ? cluster : null;
        // A standalone node's sessions run its tools themselves (from the router's ToolCatalog); a clustered node's send every call through
        // the router, whose dispatcher spreads them over the tools nodes (this one too, when it has both roles).
        var tools = ToolCatalog.Create(runtime.Definition.Tools, loggers);
        var router = system.ActorOf(ToolRouterActor.Props(runtime.Definition, runtime.Options, loggers, runtime.Cluster, tools), "pmcp-tools");
        registry.Register<ToolRouterActor>(router);
        var server = system.ActorOf(McpServerActor.Props(runtime.Definition, runtime.Options, router, listChangesFromEventStream: !clustered, clustered ? null : tools, runtime.Metrics, runtime.ModernRequestHosts), "pmcp");
        registry.Register<McpServerActor>(server);
        if (clustered) registry.Register<ClusterBroadcastActor>(system.ActorOf(ClusterBroadcastActor.Props(server), "pmcp-broadcast"));
        // A gateway serves the Streamable HTTP sessions it holds to requests other gateways receive for them.
        if (clustered && cluster!.IsGateway) runtime.HttpSessions.Join(system);
    }
}
