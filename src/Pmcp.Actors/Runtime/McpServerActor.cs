using Akka.Actor;
using Akka.Event;
using Pmcp.Actors.Messages;
using Pmcp.Actors.Tools;
using static Pmcp.Actors.Runtime.McpServerProtocol;

namespace Pmcp.Actors.Runtime;

/// <summary>
/// The server actor (<c>/user/pmcp</c>): parent of one ConnectionActor per socket, which it stops (never restarts)
/// when it fails, and the one that drains them all on shutdown.
/// </summary>
internal sealed class McpServerActor : UntypedActor, IWithTimers
{
    private const string DeadlineTimer = "drain-deadline";
    private const string GiveUpTimer = "drain-give-up";

    private readonly McpServerDefinition _definition;
    private readonly McpServerOptions _options;
    private readonly IActorRef _router;
    // The tools sessions run in process, as of the router's latest change; null when every call goes through the router.
    private ToolCatalog? _tools;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HashSet<IActorRef> _connections = [];
    private readonly List<IActorRef> _drainWaiters = [];
    private readonly bool _listChangesFromEventStream;
    private readonly Diagnostics.McpMetrics? _metrics;
    private readonly ModernRequestPool? _requestHosts;
    private long _opened;
    private bool _draining;

    /// <param name="listChangesFromEventStream">
    /// False in a cluster: list changes then come from <see cref="ClusterBroadcastActor"/>, which carries them between nodes.
    /// </param>
    /// <param name="inProcessTools">The router's first <see cref="ToolCatalog"/>: sessions run those tools themselves, and take up each new catalog the router sends with a change. Null: every call goes through the router.</param>
    /// <param name="metrics">Where sessions record their requests, calls and lifetimes; null: nowhere.</param>
    /// <param name="requestHosts">Where the hosts of 2026-07-28 requests wait between requests (<see cref="ModernRequestActor"/>); null: each host serves one request.</param>
    public McpServerActor(McpServerDefinition definition, McpServerOptions options, IActorRef router, bool listChangesFromEventStream = true, ToolCatalog? inProcessTools = null,
        Diagnostics.McpMetrics? metrics = null, ModernRequestPool? requestHosts = null)
    {
        _requestHosts = requestHosts;
        _metrics = metrics;
        _tools = inProcessTools;
        _definition = definition;
        _options = options;
        _router = router;
        _listChangesFromEventStream = listChangesFromEventStream;
    }

    public static Props Props(McpServerDefinition definition, McpServerOptions options, IActorRef router, bool listChangesFromEventStream = true, ToolCatalog? inProcessTools = null,
        Diagnostics.McpMetrics? metrics = null, ModernRequestPool? requestHosts = null) =>
        Akka.Actor.Props.Create(() => new McpServerActor(definition, options, router, listChangesFromEventStream, inProcessTools, metrics, requestHosts));

    public ITimerScheduler Timers { get; set; } = null!;

    private sealed record DrainTimedOut : INotInfluenceReceiveTimeout
    {
        public static readonly DrainTimedOut Instance = new();
    }

    private sealed record DrainGiveUp : INotInfluenceReceiveTimeout
    {
        public static readonly DrainGiveUp Instance = new();
    }

    protected override void PreStart()
    {
        if (_listChangesFromEventStream) Context.System.EventStream.Subscribe(Self, typeof(ToolRouterProtocol.ListChangedEvent));
    }

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    // A connection that faults closes its own socket with 1011 in PostStop; nothing else is touched.
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case OpenConnection open:
                var id = ++_opened;
                Opened(Context.ActorOf(ConnectionActor.Props(id, _definition, _options, _router, open.Outlet, open.Caller, _tools, _metrics), $"connection-{id}"));
                return;

            case OpenRequestHost:
                var hostId = ++_opened;
                Opened(Context.ActorOf(ModernRequestActor.Props(_definition, _options, _router, _requestHosts, _tools, _metrics), $"request-host-{hostId}"));
                return;

            case Terminated terminated:
                _connections.Remove(terminated.ActorRef);
                if (_draining && _connections.Count == 0) FinishDrain();
                return;

            case Drain drain:
                _drainWaiters.Add(Sender);
                if (_draining) return;
                _draining = true;
                // Hosts waiting for a 2026-07-28 request get none from now on: they stop, and the drain waits for them as for any child.
                if (_requestHosts is not null) foreach (var idle in _requestHosts.Close()) Context.Stop(idle);
                _log.Info("Draining {0} connections (timeout {1})", _connections.Count, drain.Timeout);
                if (_connections.Count == 0)
                {
                    FinishDrain();
                    return;
                }
                foreach (var c in _connections) c.Tell(ConnectionProtocol.Drain.Instance);
                Timers.StartSingleTimer(DeadlineTimer, DrainTimedOut.Instance, drain.Timeout);
                Timers.StartSingleTimer(GiveUpTimer, DrainGiveUp.Instance, drain.Timeout + _options.CloseTimeout + TimeSpan.FromSeconds(1));
                return;

            case DrainTimedOut:
                foreach (var c in _connections) c.Tell(ConnectionProtocol.DrainDeadline.Instance);
                return;

            case DrainGiveUp:
                _log.Warning("{0} connections still open after the drain timeout", _connections.Count);
                FinishDrain();
                return;

            case ToolRouterProtocol.ListChangedEvent changed:
                if (_tools is not null && changed.Tools is not null) _tools = changed.Tools;
                var note = new ConnectionProtocol.ListChanged(changed.List, _tools is null ? null : changed.Tools);
                foreach (var c in _connections) c.Tell(note);
                return;

            case BroadcastResourceUpdated updated:
                var resource = new ConnectionProtocol.ResourceUpdated(updated.Uri);
                foreach (var c in _connections) c.Tell(resource);
                return;

            case BroadcastLog log:
                var entry = new ConnectionProtocol.ClientLog(log.Level, log.Logger, log.DataJson);
                foreach (var c in _connections) c.Tell(entry);
                return;

            case GetStats:
                Sender.Tell(new Stats(_connections.Count, _opened));
                return;

            default:
                Unhandled(message);
                return;
        }
    }

    private void Opened(IActorRef connection)
    {
        Context.Watch(connection);
        _connections.Add(connection);
        if (_draining) connection.Tell(ConnectionProtocol.Drain.Instance);
        Sender.Tell(new ConnectionOpened(connection));
    }

    private void FinishDrain()
    {
        Timers.CancelAll();
        foreach (var waiter in _drainWaiters) waiter.Tell(new Drained(_connections.Count));
        _drainWaiters.Clear();
    }
}
