using Akka.Actor;
using Akka.Cluster.Sharding;
using Microsoft.Extensions.Logging;
using Pmcp.Actors.Cluster;
using Pmcp.Actors.Tools;

namespace Pmcp.Actors.Tasks;

/// <summary>
/// Starts the task actors' shard region (<c>pmcp-task</c>, one entity per task). Nodes that run tools host task entities
/// (in a cluster, those with the <c>tools</c> role); a gateway-only node gets a proxy to them. A single server is a
/// one-node cluster with the same code.
/// </summary>
internal static class TaskRegion
{
    public const string TypeName = "pmcp-task";

    public static TaskService Start(ActorSystem system, McpServerDefinition definition, McpTaskOptions options, ILoggerFactory loggers, McpClusterOptions? cluster)
    {
        var sharding = ClusterSharding.Get(system);
        var extractor = new TaskMessageExtractor();
        var role = cluster is { Enabled: true } ? McpClusterOptions.ToolsRole : null;
        IActorRef region;
        if (cluster is { Enabled: true, HostsTools: false })
        {
            region = sharding.StartProxy(TypeName, McpClusterOptions.ToolsRole, extractor);
        }
        else
        {
            var host = new TaskHost(definition.Tools, options, loggers);
            // A running task gets no messages for as long as its tool runs: it must not be passivated for being idle.
            // It leaves memory when its TTL passes (TaskActor deletes its events and passivates itself).
            var settings = ClusterShardingSettings.Create(system).WithPassivateIdleAfter(TimeSpan.Zero);
            if (role is not null) settings = settings.WithRole(role);
            region = sharding.Start(TypeName, id => TaskActor.Props(id, host), settings, extractor);
        }
        var service = new TaskService(region, options, definition.Tools);
        TaskService.Register(system, service);
        return service;
    }
}
