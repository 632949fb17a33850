using Akka.Actor;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Security;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using static Pmcp.Actors.Messages.ToolRouterProtocol;

namespace Pmcp.Actors.Calls;

/// <summary>
/// Sends calls to the tool router (<c>/user/pmcp-tools</c>) as text, which crosses actors and nodes unchanged; the router
/// answers <paramref name="session"/>. Each call carries the W3C context of the ambient span (the request's, when traced), so
/// that the node running it continues the trace. The router applies <see cref="CallRules"/> and runs the call on a worker actor, or sends it to a tools node from a gateway.
/// </summary>
internal sealed class RouterCallRunner(IActorRef router, IActorRef session) : ICallRunner
{
    public IActorRef Router { get; } = router;

    // resultType is not sent: the answer comes back as text, and the session adds what its era needs.
    public CallStart StartTool(CallKey key, RequestId requestId, string name, ToolArguments? arguments, bool wantsProgress, CallerIdentity? caller, string? resultType)
    {
        Router.Tell(new CallTool(key, requestId, name, arguments is null ? "{}" : arguments.ToString(), wantsProgress, caller, TraceContext.OfCurrent()), session);
        return CallStart.Sent;
    }

    public CallStart StartRequest(CallKey key, RequestId requestId, string method, JObject? parameters, CallerIdentity? caller)
    {
        Router.Tell(new RunRequest(key, requestId, method, parameters is null ? null : McpJson.ToText(parameters), caller, TraceContext.OfCurrent()), session);
        return CallStart.Sent;
    }

    public void Cancel(CallKey key, IRunningCall? running) => Router.Tell(new CancelCall(key));
}
