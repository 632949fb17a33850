using Microsoft.Extensions.Logging;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using static Pmcp.Actors.Messages.ToolRouterProtocol;

namespace Pmcp.Actors.Messages;

/// <summary>How a kind of request turns a failure, a cancellation or a timeout into its one answer.</summary>
internal abstract class CallOutcomes(string name, string loggerName)
{
    /// <summary>What runs, for messages: "tool 'echo'", "prompt 'greet'".</summary>
    public string Name { get; } = name;

    /// <summary>The tool's name (<see cref="ToolContext.ToolName"/>, and the <c>logger</c> of the messages it sends its client); for other requests, <see cref="Name"/>.</summary>
    public string LoggerName { get; } = loggerName;

    public abstract CallAnswered Failure(long callId, RequestId requestId, Exception error);

    /// <summary>The code did not finish: it was cancelled, timed out, or its worker stopped (<paramref name="why"/> says which).</summary>
    public abstract CallAnswered Stopped(long callId, RequestId requestId, string why);

    public static CallAnswered InternalError(long callId, RequestId requestId, string message) =>
        CallAnswers.Error(callId, requestId, JsonRpcErrorCodes.InternalError, message);
}

/// <summary>A tool's failure, cancellation or timeout is an <c>isError</c> result, not a JSON-RPC error.</summary>
/// <param name="logger">The tool's log category (<c>Pmcp.Tools.&lt;name&gt;</c>), kept here so a call finds both with one lookup.</param>
internal sealed class ToolOutcomes(string toolName, ILogger logger) : CallOutcomes($"tool '{toolName}'", toolName)
{
    public ILogger Logger { get; } = logger;

    public override CallAnswered Failure(long callId, RequestId requestId, Exception error) =>
        CallAnswers.IsError(callId, requestId, $"Tool '{LoggerName}' failed: {error.Message}");

    public override CallAnswered Stopped(long callId, RequestId requestId, string why) =>
        CallAnswers.IsError(callId, requestId, $"Tool '{LoggerName}' {why}.");
}

/// <summary>A resource read, prompt or completion fails with a JSON-RPC error (<see cref="McpException"/> carries its own code).</summary>
internal sealed class RequestOutcomes(string name) : CallOutcomes(name, name)
{
    public override CallAnswered Failure(long callId, RequestId requestId, Exception error) => error is McpException mcp
        ? CallAnswers.Error(callId, requestId, mcp.Code, mcp.Message)
        : InternalError(callId, requestId, $"The {Name} failed: {error.Message}");

    public override CallAnswered Stopped(long callId, RequestId requestId, string why) => InternalError(callId, requestId, $"The {Name} {why}.");
}

/// <summary>The ways a call's one answer (<see cref="CallAnswered"/>, the whole response) is written.</summary>
internal static class CallAnswers
{
    public static CallAnswered Result(long callId, RequestId requestId, object result, string? resultType = null) =>
        new(callId, JsonRpcWriter.Result(requestId, result, resultType));

    /// <summary>A tool's failure as the client sees it: an <c>isError</c> result with <paramref name="text"/>.</summary>
    public static CallAnswered IsError(long callId, RequestId requestId, string text) => Result(callId, requestId, CallToolResult.Error(text));

    public static CallAnswered Error(long callId, RequestId requestId, int code, string message) => new(callId, JsonRpcWriter.Error(requestId, code, message));
}
