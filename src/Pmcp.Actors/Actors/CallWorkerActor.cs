using Akka.Actor;
using static Pmcp.Actors.Actors.ToolRouterProtocol;

namespace Pmcp.Actors.Actors;

/// <summary>
/// A worker actor for one request the router runs (a resource read, a prompt, a completion, or a tool call that
/// reached the router instead of running on its connection): it runs a <see cref="CallExecution"/> and answers its
/// connection exactly once — the execution's answer, or -32603 if the worker stops before the code ends.
/// </summary>
internal sealed class CallWorkerActor : UntypedActor
{
    private readonly CallExecution _execution;
    private readonly IActorRef _replyTo;
    private readonly string _name;
    private bool _answered;

    public CallWorkerActor(CallExecution execution, IActorRef replyTo, string name)
    {
        _execution = execution;
        _replyTo = replyTo;
        _name = name;
    }

    public static Props Props(CallExecution execution, IActorRef replyTo, string name) =>
        Akka.Actor.Props.Create(() => new CallWorkerActor(execution, replyTo, name));

    /// <summary>Cancel the call's token.</summary>
    public sealed record Cancel
    {
        public static readonly Cancel Instance = new();
    }

    private sealed record Answer(object Reply);

    protected override void PreStart() =>
        _execution.RunAsync().PipeTo(Self, success: reply => new Answer(reply));

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
            default:
                Unhandled(message);
                return;
        }
    }

    protected override void PostStop()
    {
        if (!_answered) _replyTo.Tell(new ToolCallFailed(_execution.CallId, Pmcp.Protocol.JsonRpcErrorCodes.InternalError, $"The worker for the {_name} stopped before it finished."));
        // Not disposed: the code may still hold the token while it winds down.
        _execution.Cancel();
    }
}
