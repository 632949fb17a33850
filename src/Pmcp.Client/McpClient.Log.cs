using Microsoft.Extensions.Logging;

namespace Pmcp.Client;

/// <summary>What the client logs.</summary>
public sealed partial class McpClient
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Connected to {Url}: {Server} {Version}, protocol {Protocol}")]
    private static partial void LogInitialized(ILogger logger, Uri url, string server, string version, string protocol);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Url} does not answer server/discover ({Reason}); falling back to initialize")]
    private static partial void LogFallback(ILogger logger, Uri url, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Disconnected from {Url}: {Reason} (reconnecting: {Reconnect})")]
    private static partial void LogDisconnected(ILogger logger, Uri url, string reason, bool reconnect);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconnect attempt {Attempt} in {DelayMs:0} ms")]
    private static partial void LogReconnecting(ILogger logger, int attempt, double delayMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reconnect attempt {Attempt} failed: {Reason}")]
    private static partial void LogAttemptFailed(ILogger logger, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconnected to {Url} on attempt {Attempt}")]
    private static partial void LogReconnected(ILogger logger, Uri url, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Gave up reconnecting to {Url} after {Failures} failed attempts: {Reason}")]
    private static partial void LogGaveUp(ILogger logger, Uri url, int failures, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A handler for {Name} failed")]
    private static partial void LogHandlerFailed(ILogger logger, string name, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Dispatching a message from the server failed")]
    private static partial void LogDispatchFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The server sent a message that is not valid JSON-RPC: {Error}")]
    private static partial void LogInvalidMessage(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "An answer for request {Id} came after the request was given up; dropped")]
    private static partial void LogUnmatchedResponse(ILogger logger, string id);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The server sent an error no pending request matches: {Code} {Message}")]
    private static partial void LogUnmatchedError(ILogger logger, int code, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Left tool '{Tool}' out of tools/list: {Reason}")]
    private static partial void LogToolRejected(ILogger logger, string tool, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "A message could not be sent: {Reason}")]
    private static partial void LogSendFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not open subscriptions/listen at {Url} for the list-changed handlers; they hear nothing: {Reason}")]
    private static partial void LogOwnListenFailed(ILogger logger, Uri url, string reason);
}
