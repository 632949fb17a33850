using Akka.Actor;
using Microsoft.Extensions.Logging;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using static Pmcp.Actors.Actors.ToolRouterProtocol;

namespace Pmcp.Actors.Actors;

/// <summary>
/// Runs one tool call with a CancellationToken and answers the connection exactly once: the tool's result, an
/// <c>isError</c> result when the tool throws, or -32603 if the worker stops before the call ends.
/// </summary>
public sealed class ToolWorkerActor : UntypedActor, IWithTimers
{
    private readonly McpToolDefinition _tool;
    private readonly CallTool _call;
    private readonly IActorRef _replyTo;
    private readonly ILogger _logger;
    private readonly TimeSpan _timeout;
    private readonly CancellationTokenSource _cts = new();
    private bool _answered;

    public ToolWorkerActor(McpToolDefinition tool, CallTool call, IActorRef replyTo, ILogger logger, TimeSpan timeout)
    {
        _tool = tool;
        _call = call;
        _replyTo = replyTo;
        _logger = logger;
        _timeout = timeout;
    }

    public static Props Props(McpToolDefinition tool, CallTool call, IActorRef replyTo, ILogger logger, TimeSpan timeout) =>
        Akka.Actor.Props.Create(() => new ToolWorkerActor(tool, call, replyTo, logger, timeout));

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Cancel the call's token.</summary>
    public sealed record Cancel
    {
        public static readonly Cancel Instance = new();
    }

    private sealed record Finished(CallToolResult? Result, Exception? Error);

    private sealed record TimedOut
    {
        public static readonly TimedOut Instance = new();
    }

    protected override void PreStart()
    {
        Timers.StartSingleTimer("timeout", TimedOut.Instance, _timeout);
        var progress = new ProgressReporter(_replyTo, _call.Key.CallId, _call.WantsProgress);
        var client = new ClientSession(_replyTo);
        var context = new ToolContext(_tool.Name, _call.RequestId, progress, client, new ToolLogger(_logger, client, _tool.Name), _cts.Token);
        RunAsync(context).PipeTo(Self);
    }

    private async Task<Finished> RunAsync(ToolContext context)
    {
        try
        {
            var arguments = (JObject)McpJson.Parse(_call.ArgumentsJson);
            return new Finished(await _tool.Handler(arguments, context).ConfigureAwait(false), null);
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
                // The handler may still be winding down; its late result goes nowhere.
                _answered = true;
                _cts.Cancel();
                _replyTo.Tell(new ToolCallCompleted(_call.Key.CallId,
                    McpJson.Serialize(CallToolResult.Error($"Tool '{_tool.Name}' timed out after {_timeout.TotalSeconds:0.###} s and was cancelled."))));
                Context.Stop(Self);
                return;
            default:
                Unhandled(message);
                return;
        }
    }

    private void Answer(Finished finished)
    {
        _answered = true;
        var callId = _call.Key.CallId;
        if (finished.Error is OperationCanceledException && _cts.IsCancellationRequested)
        {
            _replyTo.Tell(new ToolCallCompleted(callId, McpJson.Serialize(CallToolResult.Error($"Tool '{_tool.Name}' was cancelled."))));
            return;
        }

        if (finished.Error is { } error)
        {
            _logger.LogWarning(error, "Tool {Tool} failed on request {RequestId}", _tool.Name, _call.RequestId);
            _replyTo.Tell(new ToolCallCompleted(callId, McpJson.Serialize(CallToolResult.Error($"Tool '{_tool.Name}' failed: {error.Message}"))));
            return;
        }

        if (finished.Result is null)
        {
            _replyTo.Tell(new ToolCallFailed(callId, JsonRpcErrorCodes.InternalError, $"Tool '{_tool.Name}' returned no result."));
            return;
        }

        string json;
        try
        {
            json = McpJson.Serialize(finished.Result);
        }
        catch (JsonException ex)
        {
            _logger.LogError(ex, "Result of tool {Tool} could not be serialized", _tool.Name);
            _replyTo.Tell(new ToolCallFailed(callId, JsonRpcErrorCodes.InternalError, $"The result of tool '{_tool.Name}' could not be serialized."));
            return;
        }
        _replyTo.Tell(new ToolCallCompleted(callId, json));
    }

    protected override void PostStop()
    {
        if (!_answered)
            _replyTo.Tell(new ToolCallFailed(_call.Key.CallId, JsonRpcErrorCodes.InternalError, "The tool worker stopped before the call finished."));
        // Not disposed: the handler may still hold the token while it winds down.
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
