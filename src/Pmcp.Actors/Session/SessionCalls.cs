using Newtonsoft.Json.Linq;
using Pmcp.Actors.Calls;
using Pmcp.Actors.Diagnostics;
using Pmcp.Actors.Session.Era2026;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using static Pmcp.Actors.Messages.ToolRouterProtocol;

namespace Pmcp.Actors.Session;

/// <summary>
/// A session's calls of user code in flight (<c>tools/call</c>, <c>resources/read</c>, <c>prompts/get</c>,
/// <c>completion/complete</c>): their ids, their progress, their cancellation, and the in-flight limit — at the limit
/// the transport stops reading and requests already read wait here, in order, until a call ends.
/// </summary>
internal sealed class SessionCalls(McpSession session, ISessionHost host, ICallRunner runner, long connectionId)
{
    private long _connectionId = connectionId; // the session's; a renewed session (McpSession.Renew) gets the next request's
    private readonly Dictionary<long, InFlightCall> _calls = [];
    private readonly Dictionary<RequestId, long> _callIds = [];
    private Queue<JsonRpcMessage>? _heldBack; // made when a request first waits for the in-flight limit
    private long _nextCallId;
    private bool _paused;

    public ICallRunner Runner { get; } = runner;

    public int Count => _calls.Count;

    public bool AtLimit => _calls.Count >= session.Options.MaxInFlightCallsPerConnection;

    public bool IsInFlight(RequestId id) => _callIds.ContainsKey(id);

    /// <summary>
    /// True once a call was let go before its code answered (cancelled, answered instead, or dropped with the session):
    /// its answer, progress or log messages may still reach the host after the session is gone.
    /// </summary>
    public bool LeftCallsBehind { get; private set; }

    private sealed class InFlightCall(RequestId requestId, JToken? progressToken, IRunningCall? running)
    {
        public RequestId RequestId { get; } = requestId;

        /// <summary>Set when the call runs in this session rather than elsewhere.</summary>
        public IRunningCall? Running { get; } = running;
        public JToken? ProgressToken { get; } = progressToken;
        public double LastProgress { get; set; } = double.NegativeInfinity;
        public long LastProgressAt { get; set; }
    }

    public void HoldBack(JsonRpcMessage request) => (_heldBack ??= new Queue<JsonRpcMessage>()).Enqueue(request);

    /// <summary>Runs the requests held back by the limit while there is room (while draining: refuses them all).</summary>
    public void RunHeldBack()
    {
        while (_heldBack is { Count: > 0 } && (session.Phase == SessionPhase.Draining || (session.Phase == SessionPhase.Operating && !AtLimit)))
            session.Dispatch(_heldBack.Dequeue());
    }

    /// <summary>Starts a request that runs user code: it counts as a call in flight and can be cancelled.</summary>
    public void Start(RequestId id, string method, JsonRpcMessage msg)
    {
        // _meta member by member: its tokens are not made for a progress token (issue 29).
        if (msg.MetaType is not (JTokenType.None or JTokenType.Object or JTokenType.Null))
        {
            session.SendError(id, JsonRpcErrorCodes.InvalidParams, "params._meta must be an object.");
            return;
        }

        var progressToken = msg.MetaToken("progressToken");
        if (progressToken is not null && progressToken.Type is not (JTokenType.String or JTokenType.Integer))
        {
            session.SendError(id, JsonRpcErrorCodes.InvalidParams, "params._meta.progressToken must be a string or an integer.");
            return;
        }

        string? toolName = null;
        ToolArguments? arguments = null;
        if (method == McpMethods.ToolsCall)
        {
            if (msg.Param("name") is not { Type: JTokenType.String } nameToken)
            {
                session.SendError(id, JsonRpcErrorCodes.InvalidParams, "tools/call needs params.name (a string).");
                return;
            }

            toolName = (string)nameToken!;
            if (msg.Arguments is { } kept)
            {
                // Kept as the client's bytes: no tokens unless the tool (or the session) asks for them.
                arguments = new ToolArguments(kept);
            }
            else
            {
                var args = msg.Param("arguments");
                if (args is not null && args.Type is not (JTokenType.Object or JTokenType.Null))
                {
                    session.SendError(id, JsonRpcErrorCodes.InvalidParams, "params.arguments must be an object.");
                    return;
                }
                arguments = Detached(args) is { } detached ? new ToolArguments(detached) : null;
            }
        }

        if (_callIds.ContainsKey(id))
        {
            session.Reply(id, McpSession.RequestIdInUse(id));
            return;
        }

        var key = new CallKey(_connectionId, _nextCallId + 1);
        CallStart start;
        // Inside the request's span: code run here is its child, and a call sent elsewhere carries its trace context.
        using (McpActivities.Ambient(session.Telemetry.Span(id)))
        {
            start = toolName is not null
                ? Runner.StartTool(key, id, toolName, arguments, progressToken is not null, session.Caller, session.Modern is not null ? ModernProtocol.ResultComplete : null)
                : Runner.StartRequest(key, id, method, msg.Params, session.Caller);
        }
        if (start.Refused is { } refused)
        {
            session.Reply(id, refused.ResponseJson);
            return;
        }

        _nextCallId = key.CallId;
        var call = new InFlightCall(id, progressToken, start.Running);
        _calls.Add(key.CallId, call);
        _callIds.Add(id, key.CallId);
        session.Telemetry.CallStarted();
        host.CallsInFlight(_calls.Count);
        if (!_paused && AtLimit)
        {
            _paused = true;
            host.PauseReading();
        }

        // A call that finished at once, having told the client nothing, is answered now; the others answer through
        // the host, behind their progress and log messages.
        if (start.Answer is not { } answer) return;
        if (answer.IsCompletedSuccessfully && !call.Running!.HasTold) Answered(answer.Result);
        else host.AwaitAnswer(answer);
    }

    /// <summary>
    /// Starts a request answered by work that is not user code and ends on its own (asking a task actor): in flight like a
    /// call (its id is taken, <c>notifications/cancelled</c> cancels it), answered with the response <paramref name="work"/> makes.
    /// </summary>
    public void StartAsync(RequestId id, Func<CancellationToken, Task<string>> work)
    {
        if (_callIds.ContainsKey(id))
        {
            session.Reply(id, McpSession.RequestIdInUse(id));
            return;
        }
        var callId = ++_nextCallId;
        var running = new AsyncRequest();
        _calls.Add(callId, new InFlightCall(id, null, running));
        _callIds.Add(id, callId);
        session.Telemetry.CallStarted();
        host.AwaitAnswer(new(running.RunAsync(callId, id, work)));
    }

    /// <summary>
    /// The call of <paramref name="id"/> is answered by <paramref name="work"/> instead of its code, which is cancelled
    /// (a handler that continues as a task: the request is answered with the task).
    /// </summary>
    public void HandOver(RequestId id, Func<CancellationToken, Task<string>> work)
    {
        if (!_callIds.TryGetValue(id, out var callId)) return;
        Cancel(callId, Forget(callId)!);
        StartAsync(id, work);
    }

    /// <summary>The work of <see cref="StartAsync"/>: its token, and its one answer (a failure of the work itself is -32603).</summary>
    private sealed class AsyncRequest : IRunningCall
    {
        private readonly CancellationTokenSource _cts = new(); // no timer: nothing to dispose

        public bool HasTold => true; // always answered through the host

        public void Cancel() => _cts.Cancel();

        public async Task<CallAnswered> RunAsync(long callId, RequestId id, Func<CancellationToken, Task<string>> work)
        {
            try
            {
                return new CallAnswered(callId, await work(_cts.Token).ConfigureAwait(false));
            }
            catch (OperationCanceledException) when (_cts.IsCancellationRequested)
            {
                return new CallAnswered(callId, JsonRpcWriter.Error(id, JsonRpcErrorCodes.InternalError, "The request was cancelled."));
            }
            catch (Exception ex)
            {
                return new CallAnswered(callId, JsonRpcWriter.Error(id, JsonRpcErrorCodes.InternalError, $"The task store did not answer: {ex.GetBaseException().Message}"));
            }
        }
    }

    /// <summary>
    /// The arguments as their own document, taken out of the request rather than copied: a tool (and the schema
    /// validator) then sees paths like <c>count</c>, as when they arrive as text through the router, not <c>params.arguments.count</c>.
    /// </summary>
    private static JObject? Detached(JToken? args)
    {
        if (args is not JObject obj) return null;
        if (obj.Parent is JProperty member) member.Value = JValue.CreateNull(); // params was made into an object: take it out
        return obj;
    }

    public void Answered(CallAnswered answer)
    {
        if (Forget(answer.CallId) is { } call) session.Reply(call.RequestId, answer.ResponseJson);
    }

    /// <summary>The call of <paramref name="requestId"/> is answered with <paramref name="responseJson"/> rather than by its code, which is cancelled.</summary>
    public void AnswerInstead(RequestId requestId, string responseJson)
    {
        if (!_callIds.TryGetValue(requestId, out var callId)) return;
        var call = Forget(callId)!;
        LeftCallsBehind = true;
        Cancel(callId, call);
        session.Reply(requestId, responseJson);
    }

    /// <summary>The client cancelled <paramref name="requestId"/>: the call's token is cancelled and its request gets no response.</summary>
    public void CancelFromClient(RequestId requestId)
    {
        if (!_callIds.TryGetValue(requestId, out var callId)) return; // finished or unknown: ignored, as the spec allows
        var call = Forget(callId)!;
        LeftCallsBehind = true;
        session.Batches.Cancelled(requestId); // the cancelled call gets no response, in a batch as alone
        Cancel(callId, call);
    }

    public void Progress(ToolCallProgress progress)
    {
        if (!_calls.TryGetValue(progress.CallId, out var call) || call.ProgressToken is null) return;
        if (!(progress.Progress > call.LastProgress)) return; // the spec requires progress to increase
        var now = Environment.TickCount64;
        var final = progress.Total is { } total && progress.Progress >= total;
        if (!final && call.LastProgressAt != 0 && now - call.LastProgressAt < (long)session.Options.ProgressInterval.TotalMilliseconds) return;
        call.LastProgress = progress.Progress;
        call.LastProgressAt = now;
        session.Send(JsonRpcWriter.Notification(McpMethods.Progress, new ProgressParams(call.ProgressToken, progress.Progress)
        {
            Total = progress.Total,
            Message = progress.Message,
        }), call.RequestId);
    }

    public void CancelAll()
    {
        if (_calls.Count > 0) LeftCallsBehind = true;
        foreach (var (callId, call) in _calls) Cancel(callId, call);
    }

    /// <summary>Empties the tables for the next request of a renewed session (<see cref="McpSession.Renew"/>), under its own connection id.</summary>
    public void Renew(long connectionId)
    {
        _connectionId = connectionId;
        _calls.Clear();
        _callIds.Clear();
        _heldBack = null;
        _nextCallId = 0;
        _paused = false;
        LeftCallsBehind = false;
    }

    public void Clear()
    {
        session.Telemetry.CallsEnded(_calls.Count);
        _calls.Clear();
        _callIds.Clear();
        host.CallsInFlight(0);
    }

    private void Cancel(long callId, InFlightCall call)
    {
        if (call.Running is AsyncRequest request) request.Cancel();
        else Runner.Cancel(new CallKey(_connectionId, callId), call.Running);
    }

    private InFlightCall? Forget(long callId)
    {
        if (!_calls.Remove(callId, out var call)) return null;
        _callIds.Remove(call.RequestId);
        session.Telemetry.CallsEnded(1);
        host.CallsInFlight(_calls.Count);
        if (_paused && !AtLimit)
        {
            _paused = false;
            host.ResumeReading();
        }
        return call;
    }
}
