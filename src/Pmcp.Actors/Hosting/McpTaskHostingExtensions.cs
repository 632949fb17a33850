using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Persistence.Sql.Hosting;
using Akka.Remote.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pmcp.Actors.Tasks;
using Pmcp.Actors.Cluster;
using Pmcp.Actors.Messages;
using Pmcp.Actors.Tools;

namespace Pmcp.Actors.Hosting;

public static class McpTaskHostingExtensions
{
    /// <summary>
    /// Runs tools declared with <see cref="TaskSupport"/> as tasks (the 2025-11-25 <c>tasks/*</c> methods and the
    /// 2026-07-28 extension <c>io.modelcontextprotocol/tasks</c>): each task a sharded actor, its state kept by
    /// Akka.Persistence in the store <paramref name="options"/> names (by default a SQLite file under its data folder).
    /// Pass the same <paramref name="cluster"/> as to <c>WithMcpServer</c>; without one, this node becomes a one-node
    /// cluster on a loopback port so that the same sharding code finds its tasks. Check the store first with
    /// <see cref="TaskStore.CheckAsync"/>: a store that cannot be opened would otherwise show only as tasks that fail.
    /// A single node holds its SQLite file, or its PostgreSQL database (an advisory lock), for as long as its ActorSystem
    /// runs; a second single node on the same store cannot start (<see cref="InvalidOperationException"/>; <see cref="TaskStore.CheckAsync"/> says so in one line first).
    /// </summary>
    public static AkkaConfigurationBuilder WithMcpTasks(this AkkaConfigurationBuilder builder, McpTaskOptions options, McpClusterOptions? cluster = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Enabled) return builder;
        options.Validate();
        var clustered = cluster is { Enabled: true };
        if (!clustered)
        {
            builder
                .WithRemoting(new RemoteOptions { HostName = "127.0.0.1", Port = 0 })
                .WithClustering(new ClusterOptions())
                .WithCustomSerializer(McpWireSerializer.Name, [typeof(IMcpWireMessage)], system => new McpWireSerializer(system))
                .AddStartup((system, _) =>
                {
                    var self = Akka.Cluster.Cluster.Get(system);
                    self.Join(self.SelfAddress);
                });
        }
        if (TaskStore.MissingDriver(options) is { } missing) throw new InvalidOperationException(missing);
        TaskStore.PrepareSqlite(options);
        if (!clustered)
        {
            var claim = TaskStoreClaim.TryTake(options, out var inUse) ?? throw new InvalidOperationException(inUse);
            builder.AddStartup((system, _) => system.RegisterOnTermination(claim.Dispose));
        }
        return builder
            .WithSqlPersistence(TaskStore.DataOptions(options), autoInitialize: true)
            .WithActors((system, _, resolver) =>
            {
                var definition = resolver.GetService<McpServerDefinition>()
                    ?? throw new InvalidOperationException("WithMcpTasks() needs services.AddMcpServer(...) first.");
                TaskRegion.Start(system, definition, options, resolver.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance, clustered ? cluster : null);
            });
    }
}
