using Akka.Actor;
using Microsoft.Extensions.Logging;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Security;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using static Pmcp.Actors.Actors.ToolRouterProtocol;

namespace Pmcp.Actors.Actors;

/// <summary>
/// One run of user code (a tool call, a resource read, a prompt, a completion) for one request: its token, its
/// deadline, its context, and the one answer it ends in — the result, the failure the kind of request maps an
/// exception to, "cancelled" or "timed out". <see cref="RunAsync"/> never throws and gives up waiting at the
/// deadline even when the code ignores its token. Used by worker actors (<see cref="CallWorkerActor"/>) and by
/// connections running tools of their own node (<see cref="LocalTools"/>).
/// </summary>
internal sealed class CallExecution : IProgressReporter
{
    private readonly CancellationTokenSource _cts = new();
    // What runs: a tool's handler with its arguments, or (resource reads, prompts, completion) a piece of code.
    private readonly McpToolHandler? _tool;
    private readonly JObject? _arguments;
    private readonly Func<ToolContext, Task<object?>>? _code;
    private readonly CallOutcomes _outcomes;
    private readonly ToolContext _context;
    private readonly IActorRef _connection;
    private readonly bool _wantsProgress;
    private bool _progressSent;
    private readonly ILogger _logger;
    private readonly TimeSpan _timeout;
    // A connection runs the call itself and wants the whole response (ToolCallAnswered), not the result's text.
    private readonly bool _answersWhole;

    public CallExecution(long callId, RequestId requestId, CallOutcomes outcomes, Func<ToolContext, Task<object?>> code,
        IActorRef replyTo, ILogger logger, TimeSpan timeout, bool wantsProgress, CallerIdentity? caller)
        : this(callId, requestId, outcomes, replyTo, logger, timeout, wantsProgress, caller) => _code = code;

    private CallExecution(long callId, RequestId requestId, McpToolDefinition tool, ToolOutcomes outcomes, JObject arguments,
        IActorRef replyTo, ILogger logger, TimeSpan timeout, bool wantsProgress, CallerIdentity? caller, bool answersWhole)
        : this(callId, requestId, outcomes, replyTo, logger, timeout, wantsProgress, caller)
    {
        _answersWhole = answersWhole;
        _tool = tool.Handler;
        _arguments = arguments;
    }

    private CallExecution(long callId, RequestId requestId, CallOutcomes outcomes,
        IActorRef replyTo, ILogger logger, TimeSpan timeout, bool wantsProgress, CallerIdentity? caller)
    {
        CallId = callId;
        _outcomes = outcomes;
        _logger = logger;
        _timeout = timeout;
        _connection = replyTo;
        _wantsProgress = wantsProgress;
        _context = new ToolContext(outcomes.LoggerName, requestId, this, replyTo, logger, _cts.Token, caller);
    }

    public long CallId { get; }

    /// <summary>
    /// True once the code told its connection anything (progress, a log message, a request to the client): its answer
    /// must then go through the connection's mailbox too, behind those messages.
    /// </summary>
    public bool HasTold => Volatile.Read(ref _progressSent) || _context.HasToldClient;

    /// <summary>Cancels the code's token; <see cref="RunAsync"/> then answers "was cancelled" without waiting for the code.</summary>
    public void Cancel() => _cts.Cancel();

    /// <summary>
    /// Runs the code; the result is <see cref="ToolCallCompleted"/> (<see cref="ToolCallAnswered"/> when the connection
    /// runs the call itself) or <see cref="ToolCallFailed"/>, never an exception.
    /// Code that finished at once (most tools) is answered without a task or an await.
    /// </summary>
    public ValueTask<object> RunAsync()
    {
        Task running;
        try
        {
            running = (_tool is not null ? (Task)_tool(_arguments!, _context) : _code!(_context))
                ?? throw new InvalidOperationException("The handler returned no task.");
        }
        catch (Exception ex)
        {
            running = Task.FromException(ex);
        }

        return running.IsCompletedSuccessfully ? new(Completed(ResultOf(running))) : new(WaitAsync(running));
    }

    private static object? ResultOf(Task finished) =>
        finished is Task<CallToolResult> tool ? tool.Result : ((Task<object?>)finished).Result;

    private async Task<object> WaitAsync(Task running)
    {
        try
        {
            await running.WaitAsync(_timeout, _cts.Token).ConfigureAwait(false);
            return Completed(ResultOf(running));
        }
        catch (TimeoutException ex) when (ex != running.Exception?.InnerException) // the deadline's, not one the code threw
        {
            // The code may still be winding down; its late result goes nowhere.
            _cts.Cancel();
            return _outcomes.Stopped(CallId, $"timed out after {_timeout.TotalSeconds:0.###} s and was cancelled");
        }
        catch (OperationCanceledException) when (_cts.IsCancellationRequested)
        {
            return _outcomes.Stopped(CallId, "was cancelled");
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "{Name} failed on request {RequestId}", _outcomes.Name, _context.RequestId);
            return _outcomes.Failure(CallId, ex);
        }
    }

    private object Completed(object? result)
    {
        if (result is null) return _outcomes.InternalError(CallId, $"The {_outcomes.Name} returned no result.");
        try
        {
            return _answersWhole
                ? new ToolCallAnswered(CallId, JsonRpcWriter.Result(_context.RequestId, result))
                : new ToolCallCompleted(CallId, McpJson.Serialize(result));
        }
        catch (JsonException ex)
        {
            _logger.LogError(ex, "The result of {Name} could not be serialized", _outcomes.Name);
            return _outcomes.InternalError(CallId, $"The result of the {_outcomes.Name} could not be serialized.");
        }
    }

    /// <summary>A <c>tools/call</c>: the tool's arguments are handed over as parsed, with no copy.</summary>
    /// <param name="answersWhole">The connection runs the call itself: a result comes back as the whole response.</param>
    public static CallExecution ForTool(McpToolDefinition tool, ToolOutcomes outcomes, long callId, RequestId requestId, JObject arguments, IActorRef replyTo,
        TimeSpan timeout, bool wantsProgress, CallerIdentity? caller, bool answersWhole = false) =>
        new(callId, requestId, tool, outcomes, arguments, replyTo, outcomes.Logger, timeout, wantsProgress, caller, answersWhole);

    // The context's progress reporter (ToolContext.Progress) is the execution itself: one object fewer per call.
    bool IProgressReporter.IsEnabled => _wantsProgress;

    void IProgressReporter.Report(double progress, double? total, string? message)
    {
        if (!_wantsProgress) return;
        Volatile.Write(ref _progressSent, true);
        _connection.Tell(new ToolCallProgress(CallId, progress, total, message));
    }
}

/// <summary>How a kind of request turns a failure, a cancellation or a timeout into its one answer.</summary>
internal abstract class CallOutcomes(string name, string loggerName)
{
    /// <summary>What runs, for messages: "tool 'echo'", "prompt 'greet'".</summary>
    public string Name { get; } = name;

    /// <summary>The tool's name (<see cref="ToolContext.ToolName"/>, and the <c>logger</c> of the messages it sends its client); for other requests, <see cref="Name"/>.</summary>
    public string LoggerName { get; } = loggerName;

    public abstract object Failure(long callId, Exception error);

    public abstract object Stopped(long callId, string why);

    public ToolCallFailed InternalError(long callId, string message) => new(callId, JsonRpcErrorCodes.InternalError, message);
}

/// <summary>A tool's failure, cancellation or timeout is an <c>isError</c> result, not a JSON-RPC error.</summary>
/// <param name="logger">The tool's log category (<c>Pmcp.Tools.&lt;name&gt;</c>), kept here so a call finds both with one lookup.</param>
internal sealed class ToolOutcomes(string toolName, ILogger logger) : CallOutcomes($"tool '{toolName}'", toolName)
{
    public ILogger Logger { get; } = logger;

    public override object Failure(long callId, Exception error) => Result(callId, $"Tool '{LoggerName}' failed: {error.Message}");

    public override object Stopped(long callId, string why) => Result(callId, $"Tool '{LoggerName}' {why}.");

    private static ToolCallCompleted Result(long callId, string text) => new(callId, McpJson.Serialize(CallToolResult.Error(text)));
}

/// <summary>A resource read, prompt or completion fails with a JSON-RPC error (<see cref="McpException"/> carries its own code).</summary>
internal sealed class RequestOutcomes(string name) : CallOutcomes(name, name)
{
    public override object Failure(long callId, Exception error) => error is McpException mcp
        ? new ToolCallFailed(callId, mcp.Code, mcp.Message)
        : InternalError(callId, $"The {Name} failed: {error.Message}");

    public override object Stopped(long callId, string why) => InternalError(callId, $"The {Name} {why}.");
}
