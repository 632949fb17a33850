using Akka.Actor;
using Akka.Event;
using Pmcp.Actors.Tools;
using static Pmcp.Actors.Actors.McpServerProtocol;

namespace Pmcp.Actors.Actors;

/// <summary>
/// The server actor (<c>/user/pmcp</c>): parent of one ConnectionActor per socket, which it stops (never restarts)
/// when it fails, and the one that drains them all on shutdown.
/// </summary>
public sealed class McpServerActor : UntypedActor, IWithTimers
{
    private const string DeadlineTimer = "drain-deadline";
    private const string GiveUpTimer = "drain-give-up";

    private readonly McpServerDefinition _definition;
    private readonly McpServerOptions _options;
    private readonly IActorRef _router;
    private readonly LocalTools? _localTools;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HashSet<IActorRef> _connections = [];
    private readonly List<IActorRef> _drainWaiters = [];
    private long _opened;
    private bool _draining;

    public McpServerActor(McpServerDefinition definition, McpServerOptions options, IActorRef router, LocalTools? localTools = null)
    {
        _localTools = localTools;
        _definition = definition;
        _options = options;
        _router = router;
    }

    /// <param name="localTools">The router's <see cref="LocalTools"/>: connections run those tools themselves. Null: every call goes through the router.</param>
    public static Props Props(McpServerDefinition definition, McpServerOptions options, IActorRef router, LocalTools? localTools = null) =>
        Akka.Actor.Props.Create(() => new McpServerActor(definition, options, router, localTools));

    public ITimerScheduler Timers { get; set; } = null!;

    private sealed record DrainTimedOut : INotInfluenceReceiveTimeout
    {
        public static readonly DrainTimedOut Instance = new();
    }

    private sealed record DrainGiveUp : INotInfluenceReceiveTimeout
    {
        public static readonly DrainGiveUp Instance = new();
    }

    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(ToolRouterProtocol.ListChangedEvent));

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    // A connection that faults closes its own socket with 1011 in PostStop; nothing else is touched.
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case OpenConnection open:
                var id = ++_opened;
                var connection = Context.ActorOf(ConnectionActor.Props(id, _definition, _options, _router, open.Outlet, open.Caller, _localTools), $"connection-{id}");
                Context.Watch(connection);
                _connections.Add(connection);
                if (_draining) connection.Tell(ConnectionProtocol.Drain.Instance);
                Sender.Tell(new ConnectionOpened(connection));
                return;

            case Terminated terminated:
                _connections.Remove(terminated.ActorRef);
                if (_draining && _connections.Count == 0) FinishDrain();
                return;

            case Drain drain:
                _drainWaiters.Add(Sender);
                if (_draining) return;
                _draining = true;
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
                var note = new ConnectionProtocol.ListChanged(changed.List);
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

    private void FinishDrain()
    {
        Timers.CancelAll();
        foreach (var waiter in _drainWaiters) waiter.Tell(new Drained(_connections.Count));
        _drainWaiters.Clear();
    }
}
