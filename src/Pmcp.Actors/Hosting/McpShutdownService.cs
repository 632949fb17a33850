using Akka.Actor;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pmcp.Actors.Runtime;

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
        var system = services.GetService(typeof(ActorSystem)) as ActorSystem;
        if (system is { WhenTerminated.IsCompleted: true }) return;
        // One that is shutting down by itself (downed by the cluster, or its CoordinatedShutdown run directly) may stop its
        // actors while a drain waits on them: each wait below also ends when the system has terminated.
        var terminated = system?.WhenTerminated ?? new TaskCompletionSource().Task;
        runtime.Gate.CloseForShutdown();
        var options = runtime.Options;
        var patience = options.DrainTimeout + options.CloseTimeout + TimeSpan.FromSeconds(2);
        if (await DrainStepAsync<McpServerProtocol.Drained>(runtime.ServerActorAsync(cancellationToken), new McpServerProtocol.Drain(options.DrainTimeout), patience, terminated, cancellationToken).ConfigureAwait(false) is { } drained)
            LogDrained(logger, drained.ConnectionsLeft);

        // A tools node of a cluster: calls from gateways running here finish (new ones are sent to other nodes) before
        // the ActorSystem leaves the cluster.
        if (runtime.Cluster is { HostsTools: true } && !terminated.IsCompleted
            && await DrainStepAsync<Cluster.ClusterProtocol.RemoteCallsDrained>(runtime.ToolRouterAsync(cancellationToken), new Cluster.ClusterProtocol.DrainRemoteCalls(options.DrainTimeout), patience, terminated, cancellationToken).ConfigureAwait(false) is { } remote)
            LogToolsDrained(logger, remote.StillRunning);
    }

    /// <summary>
    /// One step of the drain: the answer of the actor once it is found, or null (logged) when it gave none within
    /// <paramref name="patience"/>, the host gave up, or <paramref name="terminated"/> completed first (a stopped actor
    /// never answers, and waiting out the patience would only hold the host up).
    /// </summary>
    private async Task<T?> DrainStepAsync<T>(Task<IActorRef> actor, object message, TimeSpan patience, Task terminated, CancellationToken cancellationToken)
        where T : class
    {
        using var abandon = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            var answer = (await actor.ConfigureAwait(false)).Ask<T>(message, patience, abandon.Token);
            if (await Task.WhenAny(answer, terminated).ConfigureAwait(false) == answer) return await answer.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AskTimeoutException or OperationCanceledException)
        {
            LogDrainIncomplete(logger, ex.Message);
            return null;
        }

        await abandon.CancelAsync().ConfigureAwait(false);
        LogTerminatedWhileDraining(logger);
        return null;
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "The ActorSystem terminated while the MCP server was draining; the drain ends here")]
    private static partial void LogTerminatedWhileDraining(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MCP server drain did not complete: {Reason}")]
    private static partial void LogDrainIncomplete(ILogger logger, string reason);
}
