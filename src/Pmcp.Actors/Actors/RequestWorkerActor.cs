using Akka.Actor;
using Microsoft.Extensions.Logging;
using Pmcp.Actors.Security;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using static Pmcp.Actors.Actors.ToolRouterProtocol;

namespace Pmcp.Actors.Actors;

/// <summary>Runs a resource read, a prompt or a completion: failures are JSON-RPC errors (<see cref="McpException"/> carries its own code).</summary>
public sealed class RequestWorkerActor(string name, Func<ToolContext, Task<object?>> run, long callId, RequestId requestId, IActorRef replyTo, ILogger logger, TimeSpan timeout, CallerIdentity? caller = null)
    : CallWorkerActor(callId, requestId, name, name, replyTo, logger, timeout, wantsProgress: false, caller)
{
    public static Props Props(string name, Func<ToolContext, Task<object?>> run, long callId, RequestId requestId, IActorRef replyTo, ILogger logger, TimeSpan timeout, CallerIdentity? caller = null) =>
        Akka.Actor.Props.Create(() => new RequestWorkerActor(name, run, callId, requestId, replyTo, logger, timeout, caller));

    protected override Task<object?> ExecuteAsync(ToolContext context) => run(context);

    protected override object Failure(Exception error) => error is McpException mcp
        ? new ToolCallFailed(CallId, mcp.Code, mcp.Message)
        : InternalError($"The {Name} failed: {error.Message}");

    protected override object Stopped(string why) => InternalError($"The {Name} {why}.");
}
