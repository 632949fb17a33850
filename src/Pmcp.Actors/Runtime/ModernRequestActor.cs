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
/// Hosts 2026-07-28 requests one after another (issue 29): each request gets a session of its own
/// (<see cref="McpSession"/>, fresh, living as long as the request's POST), as it did on a ConnectionActor of its own,
/// but the actor outlives it and waits in the <see cref="ModernRequestPool"/> for the next. A child of the server
/// actor like a ConnectionActor, so list changes, resource updates and the drain reach the request it serves; the
/// session, the outlet and every message are the ConnectionActor's. It goes back to the pool only when its request
/// ended clean: nothing of it left running that could still tell this actor something (a call cancelled or answered
/// instead, a list page or a call's answer on its way, a request to the client); otherwise it stops, as the actor per
/// request did, and the pool makes a new one when it runs short.
/// </summary>
internal sealed class ModernRequestActor : UntypedActor, IWithTimers, ISessionHost
{
    /// <summary>Connection ids of stateless requests come from their own range, one per request, so that a call's key (and its worker's name) is never one a session or an earlier request used.</summary>
    private static long s_nextRequestId = 1L << 40;

    private readonly McpServerDefinition _definition;
    private readonly McpServerOptions _options;
    private readonly IActorRef _router;
    private readonly ModernRequestPool? _pool;
    private readonly McpMetrics? _metrics;
    private readonly Tasks.TaskService? _tasks;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    // The tools a request runs in process, as of the latest change; null: every call goes through the router.
    private ToolCatalog? _tools;
    private bool _draining;

    // The request being served; null while the actor waits in the pool.
    private McpSession? _session;
    private IConnectionOutlet? _outlet;
    private long _requestId;
    private long _startedAt;
    private int _answersOnTheirWay; // calls that outlived their turn: their answer is piped back
    private int _listsOnTheirWay; // list pages asked of the router

    public ModernRequestActor(McpServerDefinition definition, McpServerOptions options, IActorRef router, ModernRequestPool? pool, ToolCatalog? inProcessTools, McpMetrics? metrics)
    {
        _definition = definition;
        _options = options;
        _router = router;
        _pool = pool;
        _tools = inProcessTools;
        _metrics = metrics;
        _tasks = Tasks.TaskService.For(Context.System);
    }

    public static Props Props(McpServerDefinition definition, McpServerOptions options, IActorRef router, ModernRequestPool? pool, ToolCatalog? inProcessTools = null, McpMetrics? metrics = null) =>
        Akka.Actor.Props.Create(() => new ModernRequestActor(definition, options, router, pool, inProcessTools, metrics));

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Serve one 2026-07-28 request on <paramref name="Outlet"/> (its POST): a session of its own, which ends with the outlet.</summary>
    public sealed record Serve(IConnectionOutlet Outlet, JsonRpcMessage Message, CallerIdentity? Caller);

    /// <summary>The answer of a call that outlived its turn (null: the task failed, which <see cref="CallExecution"/> never does).</summary>
    private sealed record Piped(CallAnswered? Answer);

    private sealed record ClientRequestTimedOut(long RequestId, long Id);

    protected override void PostStop()
    {
        if (_session is not null) EndRequest();
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Serve serve:
                Start(serve);
                return;
            case Drain:
                _draining = true;
                _session?.Drain();
                return;
            case ListChanged changed:
                if (changed.Tools is not null && _tools is not null) _tools = changed.Tools;
                if (_session is null) return;
                if (changed.Tools is not null && _session.Calls.Runner is InProcessCallRunner inProcess) inProcess.Catalog = changed.Tools;
                _session.ListChanged(changed.List);
                return;
            case Piped piped:
                _answersOnTheirWay--;
                if (piped.Answer is { } answer) _session?.Answered(answer);
                return;
            case ToolsListed listed:
                _listsOnTheirWay--;
                _session?.Listed(listed.RequestId, listed.ResultJson);
                return;
            case ListFailed failed:
                _listsOnTheirWay--;
                _session?.ListFailed(failed.RequestId, failed.Code, failed.Message);
                return;
            case ClientRequest request when _session is null:
                Sender.Tell(new ClientRequestFailed(request.Key, ClientRequestFailure.ConnectionClosed, "The request ended."));
                return;
            case ClientRequestTimedOut timedOut:
                if (timedOut.RequestId == _requestId) _session?.ClientRequestTimedOut(timedOut.Id);
                return;
        }

        if (_session is not { } session) return; // nothing of a request that ended clean comes after it; anything else is for nobody
        switch (message)
        {
            case CallAnswered answered:
                session.Answered(answered);
                return;
            case ToolCallProgress progress:
                session.Progress(progress);
                return;
            case ResourceUpdated updated:
                session.ResourceUpdated(updated.Uri);
                return;
            case Tasks.TaskProtocol.TaskListenNotice notice:
                session.TaskListenNotice(notice.Subscription, notice.StateJson); // a listen's tag: a late one finds no listen of this request
                return;
            case ClientLog log:
                session.Log(log);
                return;
            case ClientRequest request:
                session.SendClientRequest(request, Sender);
                return;
            case CancelClientRequest cancel:
                session.CancelClientRequest(cancel.Key);
                return;
            case DrainDeadline:
                session.DrainDeadline();
                return;
            case SocketClosed:
                session.TransportClosed();
                return;
            default:
                Unhandled(message);
                return;
        }
    }

    private void Start(Serve serve)
    {
        _outlet = serve.Outlet;
        _requestId = Interlocked.Increment(ref s_nextRequestId);
        _startedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        var toRouter = new RouterCallRunner(_router, Self);
        ICallRunner runner = _tools is null ? toRouter : new InProcessCallRunner(_tools, toRouter, _options, Self);
        _session = new McpSession(_definition, _options, this, runner, _requestId, serve.Caller, new RequestTelemetry(_metrics, serve.Outlet.ProtocolName), _tasks);
        _metrics?.SessionStarted(serve.Outlet.ProtocolName);
        if (_draining) _session.Drain(); // as a ConnectionActor opened while the server drains: no new work
        _session.Receive(serve.Message);
    }

    /// <summary>The request's outlet ended (<see cref="McpSession.TransportClosed"/>): the session stops; the actor waits for the next request, or stops.</summary>
    private void Finish()
    {
        var clean = EndRequest();
        if (clean && !_draining && _pool is not null && _pool.TryReturn(Self)) return;
        Context.Stop(Self);
    }

    /// <summary>Ends the request's session; true when nothing of it is left that could still reach this actor.</summary>
    private bool EndRequest()
    {
        var session = _session!;
        var clean = !session.CloseRequested && session.Calls.Count == 0 && !session.Calls.LeftCallsBehind && session.ClientRequests.Count == 0 &&
                    _answersOnTheirWay == 0 && _listsOnTheirWay == 0;
        session.Stopped();
        _metrics?.SessionEnded(_outlet!.ProtocolName, session.ProtocolVersion, System.Diagnostics.Stopwatch.GetElapsedTime(_startedAt));
        Timers.CancelAll();
        _session = null;
        _outlet = null;
        return clean;
    }

    // This actor serves request after request, so what a task sends it by ref may arrive after the request that asked
    // for it: the only such messages are a listen's task notices, tagged with a subscription only that listen knows.
    IActorRef? ISessionHost.Inbox => Self;

    bool ISessionHost.Send(string json, RequestId? related, bool final) => _outlet!.Send(json, related, final);

    void ISessionHost.Close(CloseReason reason) => _outlet!.Close(reason);

    void ISessionHost.PauseReading() => _outlet!.PauseReading();

    void ISessionHost.ResumeReading() => _outlet!.ResumeReading();

    // The era has no handshake: the request is its whole life, and it lives as long as its POST.
    void ISessionHost.HandshakeDone() => _outlet!.Initialized();

    void ISessionHost.RequestCancelled(RequestId id) => _outlet!.RequestCancelled(id);

    void ISessionHost.CallsInFlight(int count) => _outlet!.CallsInFlight(count);

    void ISessionHost.Stop() => Finish();

    void ISessionHost.RequestList(ListItems request)
    {
        _listsOnTheirWay++;
        _router.Tell(request);
    }

    void ISessionHost.AwaitAnswer(ValueTask<CallAnswered> answer)
    {
        _answersOnTheirWay++;
        answer.AsTask().PipeTo(Self, success: static a => new Piped(a), failure: static _ => new Piped(null));
    }

    void ISessionHost.ClientRequestDeadline(long id, TimeSpan? after)
    {
        var timer = "client-request-" + id;
        if (after is { } timeout) Timers.StartSingleTimer(timer, new ClientRequestTimedOut(_requestId, id), timeout);
        else Timers.Cancel(timer);
    }

    void ISessionHost.TellAsker(object asker, object answer) => ((IActorRef)asker).Tell(answer);

    DateTimeOffset ISessionHost.Now => Context.System.Scheduler.Now;

    void ISessionHost.LogWarning(string message) => _log.Warning("Stateless request {0}: {1}", _requestId, message);

    void ISessionHost.LogDebug(string message) => _log.Debug("Stateless request {0}: {1}", _requestId, message);
}
