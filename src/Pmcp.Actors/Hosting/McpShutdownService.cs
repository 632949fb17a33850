using Akka.Actor;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pmcp.Actors.Actors;

namespace Pmcp.Actors.Hosting;

/// <summary>
/// Drains the MCP server when the host stops. It runs in the "stopping" phase, before any hosted service (Kestrel,
/// the ActorSystem) is stopped: new upgrades get 503, calls in flight finish within the drain timeout, sockets close with 1001.
/// </summary>
internal sealed partial class McpShutdownService(McpServerRuntime runtime, IServiceProvider services, ILogger<McpShutdownService> logger) : IHostedLifecycleService
{
    private int _stopping;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        // A host stopped twice drains once: the second time the actors may already be gone.
        if (Interlocked.Exchange(ref _stopping, 1) != 0) return;
        // An ActorSystem that has already stopped (its own CoordinatedShutdown ran) has nothing left to drain, and asking
        // its dead actors would only wait out the drain timeout.
        if (services.GetService(typeof(ActorSystem)) is ActorSystem { WhenTerminated.IsCompleted: true }) return;
        runtime.Gate.CloseForShutdown();
        var server = await runtime.ServerActorAsync(cancellationToken).ConfigureAwait(false);
        var options = runtime.Options;
        var patience = options.DrainTimeout + options.CloseTimeout + TimeSpan.FromSeconds(2);
        try
        {
            var drained = await server.Ask<McpServerProtocol.Drained>(new McpServerProtocol.Drain(options.DrainTimeout), patience, cancellationToken).ConfigureAwait(false);
            LogDrained(logger, drained.ConnectionsLeft);
        }
        catch (Exception ex) when (ex is AskTimeoutException or OperationCanceledException)
        {
            LogDrainIncomplete(logger, ex.Message);
        }

        // A tools node of a cluster: calls from gateways running here finish (new ones are sent to other nodes) before
        // the ActorSystem leaves the cluster.
        if (runtime.Cluster is { HostsTools: true })
        {
            try
            {
                var router = await runtime.ToolRouterAsync(cancellationToken).ConfigureAwait(false);
                var drained = await router.Ask<Cluster.ClusterProtocol.RemoteCallsDrained>(new Cluster.ClusterProtocol.DrainRemoteCalls(options.DrainTimeout), patience, cancellationToken).ConfigureAwait(false);
                LogToolsDrained(logger, drained.StillRunning);
            }
            catch (Exception ex) when (ex is AskTimeoutException or OperationCanceledException)
            {
                LogDrainIncomplete(logger, ex.Message);
            }
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "MCP server drained; {Left} connections left open")]
    private static partial void LogDrained(ILogger logger, int left);

    [LoggerMessage(Level = LogLevel.Information, Message = "Tool calls from gateways drained; {Left} still running")]
    private static partial void LogToolsDrained(ILogger logger, int left);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MCP server drain did not complete: {Reason}")]
    private static partial void LogDrainIncomplete(ILogger logger, string reason);
}
