using Akka.Actor;
using Microsoft.Extensions.Logging;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using static Pmcp.Actors.Actors.ToolRouterProtocol;

namespace Pmcp.Actors.Actors;

/// <summary>Runs one <c>tools/call</c>: a tool's failure, cancellation or timeout is an <c>isError</c> result, not a JSON-RPC error.</summary>
public sealed class ToolWorkerActor(McpToolDefinition tool, CallTool call, IActorRef replyTo, ILogger logger, TimeSpan timeout)
    : CallWorkerActor(call.Key.CallId, call.RequestId, $"tool '{tool.Name}'", tool.Name, replyTo, logger, timeout, call.WantsProgress, call.Caller)
{
    public static Props Props(McpToolDefinition tool, CallTool call, IActorRef replyTo, ILogger logger, TimeSpan timeout) =>
        Akka.Actor.Props.Create(() => new ToolWorkerActor(tool, call, replyTo, logger, timeout));

    protected override async Task<object?> ExecuteAsync(ToolContext context) =>
        await tool.Handler((Newtonsoft.Json.Linq.JObject)McpJson.Parse(call.ArgumentsJson), context).ConfigureAwait(false);

    protected override object Failure(Exception error) => Result($"Tool '{tool.Name}' failed: {error.Message}");

    protected override object Stopped(string why) => Result($"Tool '{tool.Name}' {why}.");

    private ToolCallCompleted Result(string text) => new(CallId, McpJson.Serialize(CallToolResult.Error(text)));
}
