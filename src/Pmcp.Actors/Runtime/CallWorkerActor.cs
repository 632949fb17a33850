using System.Diagnostics;
using Akka.Actor;
using Pmcp.Actors.Calls;
using Pmcp.Actors.Diagnostics;
using Pmcp.Actors.Messages;

namespace Pmcp.Actors.Runtime;

/// <summary>
/// A worker actor for one request the router runs (a resource read, a prompt, a completion, or a tool call that
/// reached the router instead of running on its connection): it runs a <see cref="CallExecution"/> and answers its
/// connection exactly once — the execution's answer, or -32603 if the worker stops before the code ends. A worker
/// running a gateway's call on a tools node that is shutting down leaves that answer to the gateway, which sees the
/// node go and answers <c>isError</c> or runs an idempotent tool again elsewhere; a -32603 from here would beat it.
/// </summary>
internal sealed class CallWorkerActor : UntypedActor
{
    private readonly CallExecution _execution;
    private readonly IActorRef _replyTo;
    private readonly string _name;
    private readonly bool _forGateway;
    private readonly Activity? _span;
    private bool _answered;

    /// <param name="span">The call's span (<see cref="McpActivities.StartRemoteCall"/>), ended with the worker; null when nobody traces.</param>
    public CallWorkerActor(CallExecution execution, IActorRef replyTo, string name, bool forGateway = false, Activity? span = null)
    {
        _forGateway = forGateway;
        _span = span;
        _execution = execution;
        _replyTo = replyTo;
        _name = name;
    }

    public static Props Props(CallExecution execution, IActorRef replyTo, string name, bool forGateway = false, Activity? span = null) =>
        Akka.Actor.Props.Create(() => new CallWorkerActor(execution, replyTo, name, forGateway, span));

    /// <summary>Cancel the call's token.</summary>
    public sealed record Cancel
    {
        public static readonly Cancel Instance = new();
    }

    /// <summary>
    /// Stop the call without a word to anyone: the gateway it ran for is gone, or has counted this node lost and answered
    /// or retried the call itself, so a late "cancelled" would only race the real answer.
    /// </summary>
    public sealed record Abandon
    {
        public static readonly Abandon Instance = new();
    }

    private sealed record Answer(ToolRouterProtocol.CallAnswered Reply);

    protected override void PreStart()
    {
        // The code runs inside the call's span: its own spans (and those of the libraries it calls) are children.
        using (McpActivities.Ambient(_span))
        {
            _execution.RunAsync().AsTask().PipeTo(Self, success: reply => new Answer(reply));
        }
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Answer answer:
                _answered = true;
                _replyTo.Tell(answer.Reply);
                Context.Stop(Self);
                return;
            case Cancel:
                _execution.Cancel();
                return;
            case Abandon:
                _answered = true;
                Context.Stop(Self); // PostStop cancels the code's token
                return;
            default:
                Unhandled(message);
                return;
        }
    }

    protected override void PostStop()
    {
        var gatewayAnswers = _forGateway && CoordinatedShutdown.Get(Context.System).ShutdownReason is not null;
        if (!_answered && !gatewayAnswers) _replyTo.Tell(_execution.WorkerStopped(_name));
        // Not disposed: the code may still hold the token while it winds down.
        _execution.Cancel();
        _span?.Dispose();
    }
}
