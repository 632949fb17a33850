using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pmcp.Actors.Messages;
using Pmcp.Actors.Cluster;

namespace Pmcp.Actors.Hosting;

public static class McpAkkaHostingExtensions
{
    /// <summary>
    /// Starts the MCP actors in this ActorSystem: the tool router at <c>/user/pmcp-tools</c> and the server actor at
    /// <c>/user/pmcp</c>, both registered in the ActorRegistry. Needs <c>services.AddMcpServer(...)</c>.
    /// Also turns off CoordinatedShutdown's CLR exit hook (unless the app's own HOCON turns it on): on SIGTERM that hook
    /// stops every actor before the host's stop has drained the MCP sockets, so clients got 1011 instead of the drain and
    /// 1001. The host still runs CoordinatedShutdown when it stops (Akka.Hosting does that in its StopAsync).
    /// Akka's log goes to the host's <c>ILoggerFactory</c> unless the app configures Akka's loggers itself.
    /// <para>
    /// With <paramref name="cluster"/> enabled the ActorSystem also joins an Akka.Cluster (see <see cref="WithMcpCluster"/>):
    /// a gateway's router sends calls to the <c>tools</c> nodes, and broadcasts reach the sessions of every gateway. Without
    /// it (or with it disabled) nothing of Akka.Remote or Akka.Cluster is started.
    /// </para>
    /// </summary>
    public static AkkaConfigurationBuilder WithMcpServer(this AkkaConfigurationBuilder builder, McpClusterOptions? cluster = null)
    {
        var clustered = cluster is { Enabled: true };
        if (clustered) builder.WithMcpCluster(cluster!);
        return builder
            .AddHocon("akka.coordinated-shutdown.run-by-clr-shutdown-hook = off", HoconAddMode.Append)
            // Akka's own log lines go through the host's ILoggerFactory like every other line of the app, so the host's
            // log configuration governs them. Appended: an app's own ConfigureLoggers (which Akka.Hosting prepends) decides.
            .AddHocon($"akka.loggers = [\"{typeof(Akka.Hosting.Logging.LoggerFactoryLogger).FullName}, {typeof(Akka.Hosting.Logging.LoggerFactoryLogger).Assembly.GetName().Name}\"]", HoconAddMode.Append)
            .WithActors((system, registry, resolver) =>
            {
                var runtime = resolver.GetService<McpServerRuntime>()
                    ?? throw new InvalidOperationException("WithMcpServer() needs services.AddMcpServer(...) first.");
                McpServerActors.Start(system, runtime, resolver.GetService<ILoggerFactory>(), clustered ? cluster : null);
            });
    }

    /// <summary>
    /// The cluster part of <see cref="WithMcpServer"/>: Akka.Remote on <see cref="McpClusterOptions.Hostname"/>:<see cref="McpClusterOptions.RemotePort"/>,
    /// with TLS between nodes when a certificate is configured (<see cref="McpClusterOptions.TlsCertificatePath"/>),
    /// Akka.Cluster with this node's roles and seed nodes (none: the node joins itself and starts a cluster),
    /// DistributedPubSub for broadcasts, every <see cref="IMcpWireMessage"/> bound to <see cref="McpWireSerializer"/> with
    /// strict serialization (a message type with no binding fails instead of going through Akka's default JSON), and the
    /// liveness (ActorSystem) and readiness (joined the cluster) health checks.
    /// </summary>
    public static AkkaConfigurationBuilder WithMcpCluster(this AkkaConfigurationBuilder builder, McpClusterOptions cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        cluster.Validate();
        var remote = new RemoteOptions { HostName = cluster.Hostname, Port = cluster.RemotePort };
        if (ClusterTls.LoadCertificate(cluster) is { } certificate)
        {
            remote.EnableSsl = true;
            remote.Ssl = ClusterTls.Settings(certificate, cluster);
        }
        return builder
            .WithRemoting(remote)
            .WithClustering(new ClusterOptions
            {
                Roles = [.. cluster.Roles],
                SeedNodes = cluster.SeedNodes.Count > 0 ? [.. cluster.SeedNodes] : null,
            })
            .WithDistributedPubSub("")
            .WithCustomSerializer(McpWireSerializer.Name, [typeof(IMcpWireMessage)], system => new McpWireSerializer(system))
            .WithStrictSerialization()
            .WithActorSystemLivenessCheck()
            .WithAkkaClusterReadinessCheck()
            .AddStartup((system, _) =>
            {
                if (cluster.SeedNodes.Count == 0)
                {
                    var self = Akka.Cluster.Cluster.Get(system);
                    self.Join(self.SelfAddress);
                }
            });
    }
}
