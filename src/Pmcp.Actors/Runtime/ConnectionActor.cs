using Akka.Actor;
using Akka.Event;
using Pmcp.Actors.Calls;
using Pmcp.Actors.Diagnostics;
using Pmcp.Actors.Messages;
using Pmcp.Actors.Security;
using Pmcp.Actors.Session;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using static Pmcp.Actors.Messages.ConnectionProtocol;
using static Pmcp.Actors.Messages.ToolRouterProtocol;

namespace Pmcp.Actors.Runtime;

/// <summary>
/// Hosts one MCP session (<see cref="McpSession"/>, which decides everything) on one transport: it hands the session
/// each message from the transport, the registry and the calls, and carries out what the session asks — messages to
/// the outlet, timers, list requests to the router. A fault stops it (a transport cannot be restarted) and its
/// transport is closed as failed (<see cref="CloseKind.InternalError"/>, WebSocket 1011).
/// </summary>
internal sealed class ConnectionActor : UntypedActor, IWithTimers, ISessionHost
{
    private const string HandshakeTimer = "handshake";

    private readonly long _connectionId;
    private readonly McpServerOptions _options;
    private readonly IActorRef _router;
    private readonly IConnectionOutlet _outlet;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly McpSession _session;
    private readonly McpMetrics? _metrics;
    private long _startedAt;

    public ConnectionActor(long connectionId, McpServerDefinition definition, McpServerOptions options, IActorRef router, IConnectionOutlet outlet, CallerIdentity? caller = null, ToolCatalog? inProcessTools = null, McpMetrics? metrics = null)
    {
        _metrics = metrics;
        _connectionId = connectionId;
        _options = options;
        _router = router;
        _outlet = outlet;
        var toRouter = new RouterCallRunner(router, Self);
        ICallRunner runner = inProcessTools is null ? toRouter : new InProcessCallRunner(inProcessTools, toRouter, options, Self);
        _session = new McpSession(definition, options, this, runner, connectionId, caller, new RequestTelemetry(metrics, outlet.ProtocolName), Tasks.TaskService.For(Context.System));
    }

    /// <param name="inProcessTools">Tools this connection runs itself (see <see cref="InProcessCallRunner"/>); calls of other tools, and every call when null, go through <paramref name="router"/>.</param>
    /// <param name="metrics">Where the session's requests, calls and lifetime are recorded; null: nowhere.</param>
    public static Props Props(long connectionId, McpServerDefinition definition, McpServerOptions options, IActorRef router, IConnectionOutlet outlet, CallerIdentity? caller = null, ToolCatalog? inProcessTools = null, McpMetrics? metrics = null) =>
        Akka.Actor.Props.Create(() => new ConnectionActor(connectionId, definition, options, router, outlet, caller, inProcessTools, metrics));

    public ITimerScheduler Timers { get; set; } = null!;

    private sealed record HandshakeTimedOut : INotInfluenceReceiveTimeout
    {
        public static readonly HandshakeTimedOut Instance = new();
    }

    private sealed record ClientRequestTimedOut(long Id) : INotInfluenceReceiveTimeout;

    protected override void PreStart()
    {
        _startedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        _metrics?.SessionStarted(_outlet.ProtocolName);
        Timers.StartSingleTimer(HandshakeTimer, HandshakeTimedOut.Instance, _options.HandshakeTimeout);
        if (_options.IdleTimeout is { } idle) Context.SetReceiveTimeout(idle);
    }

    protected override void PostStop()
    {
        _session.Stopped();
        _metrics?.SessionEnded(_outlet.ProtocolName, _session.ProtocolVersion, System.Diagnostics.Stopwatch.GetElapsedTime(_startedAt));
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Inbound inbound:
                _session.Receive(inbound.Text);
                return;
            case InboundMessage inbound:
                _session.Receive(inbound.Message);
                return;
            case CallAnswered answered:
                _session.Answered(answered);
                return;
            case ToolCallProgress progress:
                _session.Progress(progress);
                return;
            case ToolsListed listed:
                _session.Listed(listed.RequestId, listed.ResultJson);
                return;
            case ListFailed failed:
                _session.ListFailed(failed.RequestId, failed.Code, failed.Message);
                return;
            case ListChanged changed:
                if (changed.Tools is not null && _session.Calls.Runner is InProcessCallRunner inProcess) inProcess.Catalog = changed.Tools;
                _session.ListChanged(changed.List);
                return;
            case ResourceUpdated updated:
                _session.ResourceUpdated(updated.Uri);
                return;
            case Tasks.TaskProtocol.TaskStatusChanged changed:
                _session.TaskStatusChanged(changed.StateJson);
                break;
            case Tasks.TaskProtocol.TaskListenNotice notice:
                _session.TaskListenNotice(notice.Subscription, notice.StateJson);
                break;
            case ClientLog log:
                _session.Log(log);
                return;
            case ClientRequest request:
                _session.SendClientRequest(request, Sender);
                return;
            case CancelClientRequest cancel:
                _session.CancelClientRequest(cancel.Key);
                return;
            case ClientRequestTimedOut timedOut:
                _session.ClientRequestTimedOut(timedOut.Id);
                return;
            case HandshakeTimedOut:
                _session.HandshakeTimedOut();
                return;
            case Drain:
                _session.Drain();
                return;
            case DrainDeadline:
                _session.DrainDeadline();
                return;
            case ReceiveTimeout:
                _session.IdleTimeout();
                return;
            case SocketClosed:
                _session.TransportClosed();
                return;
            default:
                Unhandled(message);
                return;
        }
    }

    bool ISessionHost.Send(string json, RequestId? related, bool final) => _outlet.Send(json, related, final);

    void ISessionHost.Close(CloseReason reason) => _outlet.Close(reason);

    void ISessionHost.PauseReading() => _outlet.PauseReading();

    void ISessionHost.ResumeReading() => _outlet.ResumeReading();

    void ISessionHost.HandshakeDone()
    {
        Timers.Cancel(HandshakeTimer);
        _outlet.Initialized();
    }

    void ISessionHost.RequestCancelled(RequestId id) => _outlet.RequestCancelled(id);

    void ISessionHost.CallsInFlight(int count) => _outlet.CallsInFlight(count);

    void ISessionHost.Stop() => Context.Stop(Self);

    void ISessionHost.RequestList(ListItems request) => _router.Tell(request);

    void ISessionHost.AwaitAnswer(ValueTask<CallAnswered> answer) => answer.AsTask().PipeTo(Self);

    void ISessionHost.ClientRequestDeadline(long id, TimeSpan? after)
    {
        var timer = "client-request-" + id;
        if (after is { } timeout) Timers.StartSingleTimer(timer, new ClientRequestTimedOut(id), timeout);
        else Timers.Cancel(timer);
    }

    void ISessionHost.TellAsker(object asker, object answer) => ((IActorRef)asker).Tell(answer);

    DateTimeOffset ISessionHost.Now => Context.System.Scheduler.Now;

    IActorRef? ISessionHost.Inbox => Self;

    void ISessionHost.LogWarning(string message) => _log.Warning("Connection {0}: {1}", _connectionId, message);

    void ISessionHost.LogDebug(string message) => _log.Debug("Connection {0}: {1}", _connectionId, message);
}
