using Akka.Actor;
using Akka.Event;
using Pmcp.Actors.Calls;
using Pmcp.Actors.Messages;
using Pmcp.Actors.Session;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using static Pmcp.Actors.Messages.ConnectionProtocol;
using static Pmcp.Actors.Messages.ToolRouterProtocol;

namespace Pmcp.Actors.Runtime;

/// <summary>
/// What every actor that hosts a <see cref="McpSession"/> does the same way: it carries the session's effects to its
/// outlet and the router, and hands the session the messages of its calls, lists and server. The two hosts differ only
/// in how long a session lives on them — a <see cref="ConnectionActor"/> hosts one session for a whole connection, a
/// <see cref="ModernRequestActor"/> one 2026-07-28 request after another — so that is all they write themselves.
/// </summary>
internal abstract class SessionHostActor : UntypedActor, IWithTimers, ISessionHost
{
    private readonly ILoggingAdapter _log = Context.GetLogger();

    protected SessionHostActor(McpServerOptions options, IActorRef router)
    {
        Options = options;
        Router = router;
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected McpServerOptions Options { get; }

    /// <summary>The tool registry: list requests, and calls that do not run in process.</summary>
    protected IActorRef Router { get; }

    /// <summary>The transport of the session hosted now.</summary>
    protected abstract IConnectionOutlet Outlet { get; }

    /// <summary>Names the session in log lines ("Connection 7").</summary>
    protected abstract string LogSubject { get; }

    /// <summary>The message a timer tells this actor when the server's request <paramref name="id"/> to the client went unanswered too long.</summary>
    protected abstract object ClientRequestTimedOutMessage(long id);

    /// <summary>How a session's calls run: in process when this server runs the tool itself (<paramref name="inProcessTools"/>), otherwise through the router.</summary>
    protected ICallRunner CallRunner(ToolCatalog? inProcessTools)
    {
        var toRouter = new RouterCallRunner(Router, Self);
        return inProcessTools is null ? toRouter : new InProcessCallRunner(inProcessTools, toRouter, Options, Self);
    }

    /// <summary>A list changed on the server: in-process calls see the new tools from now on, and the session tells its client.</summary>
    protected static void ListChangedFor(McpSession session, ListChanged changed)
    {
        if (changed.Tools is not null && session.Calls.Runner is InProcessCallRunner inProcess) inProcess.Catalog = changed.Tools;
        session.ListChanged(changed.List);
    }

    /// <summary>Hands <paramref name="session"/> a message every hosted session takes alike; false when it is not one of those.</summary>
    protected bool DeliverTo(McpSession session, object message)
    {
        switch (message)
        {
            case CallAnswered answered:
                session.Answered(answered);
                return true;
            case ToolCallProgress progress:
                session.Progress(progress);
                return true;
            case ResourceUpdated updated:
                session.ResourceUpdated(updated.Uri);
                return true;
            case Tasks.TaskProtocol.TaskListenNotice notice:
                session.TaskListenNotice(notice.Subscription, notice.StateJson); // tagged: a late one finds no listen of the request now served
                return true;
            case ClientLog log:
                session.Log(log);
                return true;
            case ClientRequest request:
                session.SendClientRequest(request, Sender);
                return true;
            case CancelClientRequest cancel:
                session.CancelClientRequest(cancel.Key);
                return true;
            case DrainDeadline:
                session.DrainDeadline();
                return true;
            case SocketClosed:
                session.TransportClosed();
                return true;
            default:
                return false;
        }
    }

    public abstract void HandshakeDone();

    public abstract void Stop();

    public abstract void AwaitAnswer(ValueTask<CallAnswered> answer);

    public abstract IActorRef? Inbox { get; }

    public virtual void RequestList(ListItems request) => Router.Tell(request);

    public virtual bool Send(string json, RequestId? related = null, bool final = false) => Outlet.Send(json, related, final);

    void ISessionHost.Close(CloseReason reason) => Outlet.Close(reason);

    void ISessionHost.PauseReading() => Outlet.PauseReading();

    void ISessionHost.ResumeReading() => Outlet.ResumeReading();

    void ISessionHost.RequestCancelled(RequestId id) => Outlet.RequestCancelled(id);

    void ISessionHost.CallsInFlight(int count) => Outlet.CallsInFlight(count);

    void ISessionHost.ClientRequestDeadline(long id, TimeSpan? after)
    {
        var timer = "client-request-" + id;
        if (after is { } timeout) Timers.StartSingleTimer(timer, ClientRequestTimedOutMessage(id), timeout);
        else Timers.Cancel(timer);
    }

    void ISessionHost.TellAsker(object asker, object answer) => ((IActorRef)asker).Tell(answer);

    DateTimeOffset ISessionHost.Now => Context.System.Scheduler.Now;

    void ISessionHost.LogWarning(string message) => _log.Warning("{0}: {1}", LogSubject, message);

    void ISessionHost.LogDebug(string message)
    {
        if (_log.IsDebugEnabled) _log.Debug("{0}: {1}", LogSubject, message);
    }
}
