using Akka.Actor;
using Pmcp.Actors.Calls;
using Pmcp.Actors.Diagnostics;
using Pmcp.Actors.Messages;
using Pmcp.Actors.Security;
using Pmcp.Actors.Session;
using Pmcp.Actors.Tools;
using static Pmcp.Actors.Messages.ConnectionProtocol;
using static Pmcp.Actors.Messages.ToolRouterProtocol;

namespace Pmcp.Actors.Runtime;

/// <summary>
/// Hosts one MCP session (<see cref="McpSession"/>, which decides everything) for the life of one transport: it hands
/// the session each message from the transport, the registry and the calls, and carries out what the session asks
/// (<see cref="SessionHostActor"/>), plus what only a connection has: the handshake deadline, the idle timeout and
/// the session's task status notifications. A fault stops it (a transport cannot be restarted) and its transport is
/// closed as failed (<see cref="CloseKind.InternalError"/>, WebSocket 1011).
/// </summary>
internal sealed class ConnectionActor : SessionHostActor
{
    private const string HandshakeTimer = "handshake";

    private readonly long _connectionId;
    private readonly IConnectionOutlet _outlet;
    private readonly McpSession _session;
    private readonly McpMetrics? _metrics;
    private long _startedAt;

    public ConnectionActor(long connectionId, McpServerDefinition definition, McpServerOptions options, IActorRef router, IConnectionOutlet outlet, CallerIdentity? caller = null, ToolCatalog? inProcessTools = null, McpMetrics? metrics = null)
        : base(options, router)
    {
        _metrics = metrics;
        _connectionId = connectionId;
        _outlet = outlet;
        _session = new McpSession(definition, options, this, CallRunner(inProcessTools), connectionId, caller, new RequestTelemetry(metrics, outlet.ProtocolName), Tasks.TaskService.For(Context.System));
    }

    /// <param name="inProcessTools">Tools this connection runs itself (see <see cref="InProcessCallRunner"/>); calls of other tools, and every call when null, go through <paramref name="router"/>.</param>
    /// <param name="metrics">Where the session's requests, calls and lifetime are recorded; null: nowhere.</param>
    public static Props Props(long connectionId, McpServerDefinition definition, McpServerOptions options, IActorRef router, IConnectionOutlet outlet, CallerIdentity? caller = null, ToolCatalog? inProcessTools = null, McpMetrics? metrics = null) =>
        Akka.Actor.Props.Create(() => new ConnectionActor(connectionId, definition, options, router, outlet, caller, inProcessTools, metrics));

    private sealed record HandshakeTimedOut : INotInfluenceReceiveTimeout
    {
        public static readonly HandshakeTimedOut Instance = new();
    }

    private sealed record ClientRequestTimedOut(long Id) : INotInfluenceReceiveTimeout;

    protected override IConnectionOutlet Outlet => _outlet;

    protected override string LogSubject => "Connection " + _connectionId;

    protected override object ClientRequestTimedOutMessage(long id) => new ClientRequestTimedOut(id);

    protected override void PreStart()
    {
        _startedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        _metrics?.SessionStarted(_outlet.ProtocolName);
        Timers.StartSingleTimer(HandshakeTimer, HandshakeTimedOut.Instance, Options.HandshakeTimeout);
        if (Options.IdleTimeout is { } idle) Context.SetReceiveTimeout(idle);
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
                _outlet.InboundHandled(inbound.Text.Length);
                return;
            case InboundMessage inbound:
                _session.Receive(inbound.Message);
                if (inbound.Chars > 0) _outlet.InboundHandled(inbound.Chars);
                return;
            case ToolsListed listed:
                _session.Listed(listed.RequestId, listed.ResultJson);
                return;
            case ListFailed failed:
                _session.ListFailed(failed.RequestId, failed.Code, failed.Message);
                return;
            case ListChanged changed:
                ListChangedFor(_session, changed);
                return;
            case Tasks.TaskProtocol.TaskStatusChanged changed:
                _session.TaskStatusChanged(changed.StateJson);
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
            case ReceiveTimeout:
                _session.IdleTimeout();
                return;
            default:
                if (!DeliverTo(_session, message)) Unhandled(message);
                return;
        }
    }

    public override void HandshakeDone()
    {
        Timers.Cancel(HandshakeTimer);
        _outlet.Initialized();
    }

    public override void Stop() => Context.Stop(Self);

    public override void AwaitAnswer(ValueTask<CallAnswered> answer) => answer.AsTask().PipeTo(Self);

    /// <summary>This actor, for the session's whole life: a task's status changes reach the session here.</summary>
    public override IActorRef? Inbox => Self;
}
