using Akka.Actor;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Messages;
using Pmcp.Actors.Security;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using static Pmcp.Actors.Messages.ToolRouterProtocol;

namespace Pmcp.Actors.Calls;

/// <summary>
/// Runs the node's own tools in the session, as a task of the session's, instead of sending each call through the router
/// to a worker actor: on a node that hosts its tools, that hop and a short-lived actor per call were about half of a
/// call's CPU. The tools come from the latest <see cref="ToolCatalog"/> the session was given; a tool not in it, and every
/// other request, goes to <paramref name="router"/>. A call that outlives the session's turn is told to the router
/// (<see cref="SessionCallStarted"/>, <see cref="SessionCallEnded"/>) so that it counts with the router's workers.
/// </summary>
internal sealed class InProcessCallRunner(ToolCatalog catalog, RouterCallRunner router, McpServerOptions options, IActorRef session) : ICallRunner
{
    public ToolCatalog Catalog { get; set; } = catalog;

    public CallStart StartTool(CallKey key, RequestId requestId, string name, ToolArguments? arguments, bool wantsProgress, CallerIdentity? caller, string? resultType)
    {
        if (Catalog.Find(name) is not { } tool) return router.StartTool(key, requestId, name, arguments, wantsProgress, caller, resultType);
        if (CallRules.Refusal(tool.Definition, name, key.CallId, requestId, caller) is { } refused) return CallStart.Refuse(refused);

        var execution = CallExecution.ForTool(tool.Definition, tool.Outcomes, key.CallId, requestId, arguments ?? new ToolArguments([]), session,
            CallRules.Timeout(tool.Definition, options), wantsProgress, caller, resultType);
        var answer = execution.RunAsync();
        if (answer.IsCompleted) return new CallStart(null, execution, answer);
        router.Router.Tell(SessionCallStarted.Instance);
        return new CallStart(null, execution, new(CountedAsync(answer, router.Router)));
    }

    public CallStart StartRequest(CallKey key, RequestId requestId, string method, JObject? parameters, CallerIdentity? caller) =>
        router.StartRequest(key, requestId, method, parameters, caller);

    public void Cancel(CallKey key, IRunningCall? running)
    {
        if (running is not null) running.Cancel();
        else router.Cancel(key, null);
    }

    // Told from the task's end, not from the session's mailbox: a session that stops before its calls end still counts them down.
    private static async Task<CallAnswered> CountedAsync(ValueTask<CallAnswered> answer, IActorRef router)
    {
        try
        {
            return await answer.ConfigureAwait(false);
        }
        finally
        {
            router.Tell(SessionCallEnded.Instance);
        }
    }
}
