using Akka.Actor;
using Microsoft.Extensions.Logging;
using Newtonsoft.Json;
using Pmcp.Actors.Security;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using static Pmcp.Actors.Actors.ToolRouterProtocol;

namespace Pmcp.Actors.Actors;

/// <summary>
/// Runs one piece of user code for one request (a tool call, a resource read, a prompt, a completion) with a
/// CancellationToken and a deadline, and answers its connection exactly once: the result, the failure the subclass
/// maps an exception to, or -32603 if the worker stops before the code ends.
/// </summary>
public abstract class CallWorkerActor : UntypedActor, IWithTimers
{
    private readonly CancellationTokenSource _cts = new();
    private bool _answered;

    protected CallWorkerActor(long callId, RequestId requestId, string name, string loggerName, IActorRef replyTo, ILogger logger, TimeSpan timeout, bool wantsProgress, CallerIdentity? caller = null)
    {
        Caller = caller;
        LoggerName = loggerName;
        CallId = callId;
        RequestId = requestId;
        Name = name;
        ReplyTo = replyTo;
        Logger = logger;
        Timeout = timeout;
        WantsProgress = wantsProgress;
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected long CallId { get; }

    protected RequestId RequestId { get; }

    /// <summary>What runs, for messages: "tool 'echo'", "prompt 'greet'".</summary>
    protected string Name { get; }

    /// <summary>The tool's name (<see cref="ToolContext.ToolName"/>, and the <c>logger</c> of the messages it sends its client); for other requests, <see cref="Name"/>.</summary>
    private string LoggerName { get; }

    protected IActorRef ReplyTo { get; }

    protected ILogger Logger { get; }

    protected TimeSpan Timeout { get; }

    private bool WantsProgress { get; }

    /// <summary>Who called; rebuilt into <see cref="ToolContext.User"/>.</summary>
    private CallerIdentity? Caller { get; }

    /// <summary>Cancel the call's token.</summary>
    public sealed record Cancel
    {
        public static readonly Cancel Instance = new();
    }

    private sealed record Finished(object? Result, Exception? Error);

    private sealed record TimedOut
    {
        public static readonly TimedOut Instance = new();
    }

    /// <summary>Runs the user's code; the returned object is the JSON-RPC result.</summary>
    protected abstract Task<object?> ExecuteAsync(ToolContext context);

    /// <summary>The answer when the code throws (cancellation excepted).</summary>
    protected abstract object Failure(Exception error);

    /// <summary>The answer when the call was cancelled or timed out.</summary>
    protected abstract object Stopped(string why);

    protected ToolCallFailed InternalError(string message) => new(CallId, JsonRpcErrorCodes.InternalError, message);

    protected override void PreStart()
    {
        Timers.StartSingleTimer("timeout", TimedOut.Instance, Timeout);
        var progress = new ProgressReporter(ReplyTo, CallId, WantsProgress);
        var client = new ClientSession(ReplyTo, RequestId);
        var context = new ToolContext(LoggerName, RequestId, progress, client, new ToolLogger(Logger, client, LoggerName), _cts.Token, CallerIdentity.ToPrincipal(Caller));
        RunAsync(context).PipeTo(Self);
    }

    private async Task<Finished> RunAsync(ToolContext context)
    {
        try
        {
            return new Finished(await ExecuteAsync(context).ConfigureAwait(false), null);
        }
        catch (Exception ex)
        {
            return new Finished(null, ex);
        }
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Finished finished:
                Answer(finished);
                Context.Stop(Self);
                return;
            case Cancel:
                _cts.Cancel();
                return;
            case TimedOut:
                // The code may still be winding down; its late result goes nowhere.
                _cts.Cancel();
                Reply(Stopped($"timed out after {Timeout.TotalSeconds:0.###} s and was cancelled"));
                Context.Stop(Self);
                return;
            default:
                Unhandled(message);
                return;
        }
    }

    private void Reply(object answer)
    {
        _answered = true;
        ReplyTo.Tell(answer);
    }

    private void Answer(Finished finished)
    {
        if (finished.Error is OperationCanceledException && _cts.IsCancellationRequested)
        {
            Reply(Stopped("was cancelled"));
            return;
        }

        if (finished.Error is { } error)
        {
            Logger.LogWarning(error, "{Name} failed on request {RequestId}", Name, RequestId);
            Reply(Failure(error));
            return;
        }

        if (finished.Result is null)
        {
            Reply(InternalError($"The {Name} returned no result."));
            return;
        }

        try
        {
            Reply(new ToolCallCompleted(CallId, McpJson.Serialize(finished.Result)));
        }
        catch (JsonException ex)
        {
            Logger.LogError(ex, "The result of {Name} could not be serialized", Name);
            Reply(InternalError($"The result of the {Name} could not be serialized."));
        }
    }

    protected override void PostStop()
    {
        if (!_answered) ReplyTo.Tell(InternalError($"The worker for the {Name} stopped before it finished."));
        // Not disposed: the code may still hold the token while it winds down.
        _cts.Cancel();
    }

    private sealed class ProgressReporter(IActorRef connection, long callId, bool enabled) : IProgressReporter
    {
        public bool IsEnabled => enabled;

        public void Report(double progress, double? total = null, string? message = null)
        {
            if (enabled) connection.Tell(new ToolCallProgress(callId, progress, total, message));
        }
    }
}
