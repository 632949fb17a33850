using Microsoft.Extensions.Logging;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using static Pmcp.Actors.Messages.ToolRouterProtocol;

namespace Pmcp.Actors.Messages;

/// <summary>
/// How a tool that runs as a task ends: as an ordinary call (an exception, a timeout: an <c>isError</c> result, so the task
/// is <c>completed</c>), except that an <see cref="McpException"/> is a protocol error, which fails the task with that error.
/// </summary>
internal sealed class TaskOutcomes(string toolName, ILogger logger) : CallOutcomes($"tool '{toolName}'", toolName)
{
    public ILogger Logger { get; } = logger;

    public override CallAnswered Failure(long callId, RequestId requestId, Exception error) => error is McpException mcp
        ? CallAnswers.Error(callId, requestId, mcp.Code, mcp.Message)
        : CallAnswers.IsError(callId, requestId, $"Tool '{LoggerName}' failed: {error.Message}");

    public override CallAnswered Stopped(long callId, RequestId requestId, string why) =>
        CallAnswers.IsError(callId, requestId, $"Tool '{LoggerName}' {why}.");
}
