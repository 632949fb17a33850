using Akka.Actor;
using Microsoft.Extensions.Logging;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Messages;
using Pmcp.Actors.Security;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using static Pmcp.Actors.Messages.ToolRouterProtocol;

namespace Pmcp.Actors.Calls;

/// <summary>
/// One run of user code (a tool call, a resource read, a prompt, a completion) for one request: its token, its
/// deadline, its context, and the one answer it ends in — the result, the failure the kind of request maps an
/// exception to, "cancelled" or "timed out". <see cref="RunAsync"/> never throws and gives up waiting at the
/// deadline even when the code ignores its token. Used by worker actors (<see cref="Runtime.CallWorkerActor"/>) and by
/// sessions running tools of their own node (<see cref="InProcessCallRunner"/>).
/// </summary>
internal sealed class CallExecution : IProgressReporter, IClientSessionSource, IRunningCall, ICallCancellation
{
    private CallCancellation _cancellation; // a mutable struct: never copied, never readonly
    // What runs: a tool's handler with its arguments, or (resource reads, prompts, completion) a piece of code.
    private readonly McpToolHandler? _tool;
    private readonly McpToolArgumentsHandler? _argumentsTool; // a tool made with McpToolDefinition.ForArguments, run instead of _tool
    private readonly ToolArguments? _arguments;
    private readonly Func<ToolContext, Task<object?>>? _code;
    private readonly CallOutcomes _outcomes;
    private readonly ToolContext _context;
    private readonly IActorRef _connection;
    private readonly bool _wantsProgress;
    private bool _progressSent;
    private readonly ILogger _logger;
    private readonly TimeSpan _timeout;
    // The resultType the session's era wants written into a tool's result (2026-07-28: "complete"); null for none.
    private readonly string? _resultType;

    public CallExecution(long callId, RequestId requestId, CallOutcomes outcomes, Func<ToolContext, Task<object?>> code,
        IActorRef replyTo, ILogger logger, TimeSpan timeout, bool wantsProgress, CallerIdentity? caller)
        : this(callId, requestId, outcomes, replyTo, logger, timeout, wantsProgress, caller) => _code = code;

    private CallExecution(long callId, RequestId requestId, McpToolDefinition tool, CallOutcomes outcomes, ToolArguments arguments,
        IActorRef replyTo, ILogger logger, TimeSpan timeout, bool wantsProgress, CallerIdentity? caller, string? resultType)
        : this(callId, requestId, outcomes, replyTo, logger, timeout, wantsProgress, caller)
    {
        _tool = tool.Handler;
        _argumentsTool = tool.ArgumentsHandler;
        _arguments = arguments;
        _resultType = resultType;
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
        _context = new ToolContext(outcomes.LoggerName, requestId, this, this, logger, this, caller);
    }

    public long CallId { get; }

    /// <summary>
    /// True once the code told its connection anything (progress, a log message, a request to the client): its answer
    /// must then go through the connection's mailbox too, behind those messages.
    /// </summary>
    public bool HasTold => Volatile.Read(ref _progressSent) || _context.HasToldClient;

    /// <summary>Cancels the code's token; <see cref="RunAsync"/> then answers "was cancelled" without waiting for the code.</summary>
    public void Cancel() => _cancellation.Cancel();

    /// <summary>The code's token, its source made on first use (<see cref="CallCancellation"/>).</summary>
    CancellationToken ICallCancellation.Token => _cancellation.Token;

    /// <summary>
    /// Runs the code; its one answer is the whole response (<see cref="CallAnswered"/>: the result, an <c>isError</c>
    /// result or a JSON-RPC error, as the kind of request says), never an exception, wherever the call runs.
    /// Code that finished at once (most tools) is answered without a task or an await.
    /// </summary>
    public ValueTask<CallAnswered> RunAsync()
    {
        Task running;
        try
        {
            running = (_argumentsTool is not null ? _argumentsTool(_arguments!, _context)
                    : _tool is not null ? _tool(_arguments!.ToJObject(), _context)
                    : (Task)_code!(_context))
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

    private async Task<CallAnswered> WaitAsync(Task running)
    {
        try
        {
            await running.WaitAsync(_timeout, _cancellation.Token).ConfigureAwait(false);
            return Completed(ResultOf(running));
        }
        catch (TimeoutException ex) when (ex != running.Exception?.InnerException) // the deadline's, not one the code threw
        {
            // The code may still be winding down; its late result goes nowhere.
            _cancellation.Cancel();
            return _outcomes.Stopped(CallId, RequestId, $"timed out after {_timeout.TotalSeconds:0.###} s and was cancelled");
        }
        catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
        {
            return _outcomes.Stopped(CallId, RequestId, "was cancelled");
        }
        catch (InputRequiredException)
        {
            // 2026-07-28: the code asked its client something; the session answers the request with an InputRequiredResult.
            return _outcomes.Stopped(CallId, RequestId, "waits for input from its client");
        }
        catch (TaskHandoffException)
        {
            // 2026-07-28: the code continues as a task; the session answers the request with the task (this answer goes nowhere).
            return _outcomes.Stopped(CallId, RequestId, "continues as a task");
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "{Name} failed on request {RequestId}", _outcomes.Name, _context.RequestId);
            return _outcomes.Failure(CallId, RequestId, ex);
        }
    }

    private CallAnswered Completed(object? result)
    {
        if (result is null) return CallOutcomes.InternalError(CallId, RequestId, $"The {_outcomes.Name} returned no result.");
        try
        {
            return CallAnswers.Result(CallId, RequestId, result, _resultType);
        }
        catch (JsonException ex)
        {
            _logger.LogError(ex, "The result of {Name} could not be serialized", _outcomes.Name);
            return CallOutcomes.InternalError(CallId, RequestId, $"The result of the {_outcomes.Name} could not be serialized.");
        }
    }

    private RequestId RequestId => _context.RequestId;

    /// <summary>What the call's worker answers when it stops before the code ends.</summary>
    public CallAnswered WorkerStopped(string name) => CallOutcomes.InternalError(CallId, RequestId, $"The worker for the {name} stopped before it finished.");

    /// <summary>A <c>tools/call</c>: the tool's arguments are handed over as read, with no copy.</summary>
    public static CallExecution ForTool(McpToolDefinition tool, ToolOutcomes outcomes, long callId, RequestId requestId, ToolArguments arguments, IActorRef replyTo,
        TimeSpan timeout, bool wantsProgress, CallerIdentity? caller, string? resultType = null) =>
        new(callId, requestId, tool, outcomes, arguments, replyTo, outcomes.Logger, timeout, wantsProgress, caller, resultType);

    /// <summary>A tool run as a task (<see cref="Tasks.TaskActor"/>): <paramref name="replyTo"/> is the task, which takes what the tool asks its client.</summary>
    public static CallExecution ForTask(McpToolDefinition tool, TaskOutcomes outcomes, ToolArguments arguments, IActorRef replyTo, TimeSpan timeout, CallerIdentity? caller) =>
        new(0, new RequestId(0), tool, outcomes, arguments, replyTo, outcomes.Logger, timeout, wantsProgress: false, caller, resultType: null);

    // The context's client (ToolContext.Client) asks the client through the connection (or task) the call answers to.
    IClientSession IClientSessionSource.OpenClient(RequestId requestId) => new ClientSession(_connection, requestId);

    // The context's progress reporter (ToolContext.Progress) is the execution itself: one object fewer per call.
    bool IProgressReporter.IsEnabled => _wantsProgress;

    void IProgressReporter.Report(double progress, double? total, string? message)
    {
        if (!_wantsProgress) return;
        Volatile.Write(ref _progressSent, true);
        _connection.Tell(new ToolCallProgress(CallId, progress, total, message));
    }
}

