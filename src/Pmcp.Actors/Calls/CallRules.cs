using Pmcp.Actors.Messages;
using Pmcp.Actors.Security;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using static Pmcp.Actors.Messages.ToolRouterProtocol;

namespace Pmcp.Actors.Calls;

/// <summary>
/// The rules of a call, written once for every way a call runs (in its session, on a worker, on another node): which
/// tool it names, whether the caller may call it, and how long it may run.
/// </summary>
internal static class CallRules
{
    /// <summary>A tool's own timeout, else the server's <see cref="McpServerOptions.ToolCallTimeout"/> (resource reads, prompts and completions have only that).</summary>
    public static TimeSpan Timeout(McpToolDefinition? tool, McpServerOptions options) => tool?.Timeout ?? options.ToolCallTimeout;

    /// <summary>
    /// The answer a call gets without running: -32602 for a tool that does not exist, or an <c>isError</c> result (like
    /// a failed argument check) for a caller without the tool's roles or scopes. Null when the call may run.
    /// </summary>
    public static CallAnswered? Refusal(McpToolDefinition? tool, string name, long callId, RequestId requestId, CallerIdentity? caller)
    {
        if (tool is null) return CallAnswers.Error(callId, requestId, JsonRpcErrorCodes.InvalidParams, $"Unknown tool: {name}");
        if (tool.HasRequirements && tool.Refusal(CallerIdentity.ToPrincipal(caller)) is { } refusal) return CallAnswers.IsError(callId, requestId, refusal);
        return null;
    }
}
