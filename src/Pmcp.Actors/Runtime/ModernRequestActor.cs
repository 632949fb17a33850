using Akka.Actor;
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
internal sealed class ModernRequestActor : SessionHostActor
{
    /// <summary>Connection ids of stateless requests come from their own range, one per request, so that a call's key (and its worker's name) is never one a session or an earlier request used.</summary>
    private static long s_nextRequestId = 1L << 40;

    private readonly McpServerDefinition _definition;
    private readonly ModernRequestPool? _pool;
    private readonly McpMetrics? _metrics;
    private readonly Tasks.TaskService? _tasks;
    // The tools a request runs in process, as of the latest change; null: every call goes through the router.
    private ToolCatalog? _tools;
    private bool _draining;

    // The request being served; null while the actor waits in the pool.
    private McpSession? _session;
    // The session of the last request, which ended clean: renewed for the next instead of a new one (its tables and
    // runner kept), since a session per request was most of what a 2026 request allocated beyond a 2025 call (issue 29).
    private McpSession? _spare;
    private IConnectionOutlet? _outlet;
    private long _requestId;
    private int _answersOnTheirWay; // calls that outlived their turn: their answer is piped back
    private int _listsOnTheirWay; // list pages asked of the router
    private RequestId _served; // the request's id
    private bool _answered; // its response went out

    public ModernRequestActor(McpServerDefinition definition, McpServerOptions options, IActorRef router, ModernRequestPool? pool, ToolCatalog? inProcessTools, McpMetrics? metrics)
        : base(options, router)
    {
        _definition = definition;
        _pool = pool;
        _tools = inProcessTools;
        _metrics = metrics;
        _tasks = Tasks.TaskService.For(Context.System);
    }

    public static Props Props(McpServerDefinition definition, McpServerOptions options, IActorRef router, ModernRequestPool? pool, ToolCatalog? inProcessTools = null, McpMetrics? metrics = null) =>
        Akka.Actor.Props.Create(() => new ModernRequestActor(definition, options, router, pool, inProcessTools, metrics));

    /// <summary>Serve one 2026-07-28 request on <paramref name="Outlet"/> (its POST): a session of its own, which ends with the outlet.</summary>
    /// <param name="Meta">The request's <c>_meta</c> as its transport read it, or null when it did not (the session reads it).</param>
    public sealed record Serve(IConnectionOutlet Outlet, JsonRpcMessage Message, CallerIdentity? Caller, Session.Era2026.RequestMeta? Meta = null);

    /// <summary>The answer of a call that outlived its turn (null: the task failed, which <see cref="CallExecution"/> never does).</summary>
    private sealed record Piped(CallAnswered? Answer);

    private sealed record ClientRequestTimedOut(long RequestId, long Id);

    protected override IConnectionOutlet Outlet => _outlet!;

    protected override string LogSubject => "Stateless request " + _requestId;

    protected override object ClientRequestTimedOutMessage(long id) => new ClientRequestTimedOut(_requestId, id);

    protected override void PostStop()
    {
        if (_session is not null) EndRequest();
    }

    protected override void OnReceive(object message)
    {
        Handle(message);
        if (_answered && _session is not null) LetGo();
    }

    private void Handle(object message)
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
                if (_session is not null) ListChangedFor(_session, changed);
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

        // Nothing of a request that ended clean comes after it; anything else is for nobody.
        if (_session is { } session && !DeliverTo(session, message)) Unhandled(message);
    }

    private void Start(Serve serve)
    {
        _outlet = serve.Outlet;
        _requestId = Interlocked.Increment(ref s_nextRequestId);
        _served = serve.Message.Id ?? default;
        _answered = false;
        _session = RenewedSession(serve) ?? new McpSession(_definition, Options, this, CallRunner(_tools), _requestId, serve.Caller, new RequestTelemetry(_metrics, serve.Outlet.ProtocolName), _tasks);
        // A 2026-07-28 request is not a session: it records its operation (mcp.server.operation.duration), but is neither
        // counted in pmcp.server.sessions.active nor given an mcp.server.session.duration, which would fill with
        // sub-millisecond "sessions" and cost three measurements per request (issue 29).
        if (_draining) _session.Drain(); // as a ConnectionActor opened while the server drains: no new work
        if (serve.Meta is { } meta) _session.Receive(serve.Message, meta);
        else _session.Receive(serve.Message);
    }

    /// <summary>The last request's session made fresh for <paramref name="serve"/>, or null when there is none to renew.</summary>
    private McpSession? RenewedSession(Serve serve)
    {
        var session = _spare;
        _spare = null;
        if (session is null || session.Telemetry.ProtocolName != serve.Outlet.ProtocolName) return null;
        session.Renew(_requestId, serve.Caller);
        // The tools as of the latest change, which may have come while the host waited in the pool.
        if (_tools is not null && session.Calls.Runner is InProcessCallRunner inProcess) inProcess.Catalog = _tools;
        return session;
    }

    /// <summary>The request's outlet ended (<see cref="McpSession.TransportClosed"/>): the session stops; the actor waits for the next request, or stops.</summary>
    private void Finish()
    {
        var clean = EndRequest();
        if (clean && !_draining && _pool is not null && _pool.TryReturn(Self)) return;
        Context.Stop(Self);
    }

    /// <summary>
    /// The request was answered: when nothing of it is left, the host lets go of its POST at once and goes back to the
    /// pool in this turn, instead of waiting for the POST's end to be told (a second turn per request, issue 29). When
    /// the POST ended first, its end is on its way and does the same.
    /// </summary>
    private void LetGo()
    {
        if (!NothingLeft(_session!) || !_outlet!.ReleaseHost()) return;
        _session!.TransportClosed(); // the request's transport is done with this host: Finish, as when the POST ends
    }

    /// <summary>True when nothing of the request is left that could still reach this actor.</summary>
    private bool NothingLeft(McpSession session) =>
        !session.CloseRequested && session.Calls.Count == 0 && !session.Calls.LeftCallsBehind && session.ClientRequests.Count == 0 &&
        _answersOnTheirWay == 0 && _listsOnTheirWay == 0;

    /// <summary>Ends the request's session; true when nothing of it is left that could still reach this actor.</summary>
    private bool EndRequest()
    {
        var session = _session!;
        var clean = NothingLeft(session);
        session.Stopped();
        Timers.CancelAll();
        _session = null;
        _outlet = null;
        if (clean) _spare = session;
        return clean;
    }

    // This actor serves request after request, so what a task sends it by ref may arrive after the request that asked
    // for it: the only such messages are a listen's task notices, tagged with a subscription only that listen knows.
    public override IActorRef? Inbox => Self;

    public override bool Send(string json, RequestId? related = null, bool final = false)
    {
        if (final && related == _served) _answered = true;
        return base.Send(json, related, final);
    }

    // The era has no handshake: the request is its whole life, and it lives as long as its POST.
    public override void HandshakeDone() => _outlet!.Initialized();

    public override void Stop() => Finish();

    public override void RequestList(ListItems request)
    {
        _listsOnTheirWay++;
        base.RequestList(request);
    }

    public override void AwaitAnswer(ValueTask<CallAnswered> answer)
    {
        _answersOnTheirWay++;
        answer.AsTask().PipeTo(Self, success: static a => new Piped(a), failure: static _ => new Piped(null));
    }
}
