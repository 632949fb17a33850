using System.Net.WebSockets;
using Akka.Actor;
using Akka.Event;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Tools;
using Pmcp.Actors.Transport;
using Pmcp.Protocol;
using static Pmcp.Actors.Actors.ConnectionProtocol;
using static Pmcp.Actors.Actors.ToolRouterProtocol;

namespace Pmcp.Actors.Actors;

/// <summary>
/// One MCP session on one socket. Parses each inbound message, runs the lifecycle as actor states
/// (awaiting initialize → operating → draining → closing), sends calls to the tool router and writes every answer
/// to the socket's outlet. A fault stops it (a socket cannot be restarted) and its socket is closed with 1011.
/// </summary>
public sealed class ConnectionActor : UntypedActor, IWithTimers
{
    private const string HandshakeTimer = "handshake";

    private readonly long _connectionId;
    private readonly McpServerDefinition _definition;
    private readonly McpServerOptions _options;
    private readonly IActorRef _router;
    private readonly IConnectionOutlet _outlet;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<long, InFlightCall> _calls = [];
    private readonly Dictionary<RequestId, long> _callIds = [];
    private long _nextCallId;
    private bool _paused;
    private bool _closeRequested;
    private bool _socketGone;

    public ConnectionActor(long connectionId, McpServerDefinition definition, McpServerOptions options, IActorRef router, IConnectionOutlet outlet)
    {
        _connectionId = connectionId;
        _definition = definition;
        _options = options;
        _router = router;
        _outlet = outlet;
    }

    public static Props Props(long connectionId, McpServerDefinition definition, McpServerOptions options, IActorRef router, IConnectionOutlet outlet) =>
        Akka.Actor.Props.Create(() => new ConnectionActor(connectionId, definition, options, router, outlet));

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>The protocol revision agreed in initialize; null before.</summary>
    internal string? ProtocolVersion { get; private set; }

    internal bool ClientInitialized { get; private set; }

    private sealed record HandshakeTimedOut : INotInfluenceReceiveTimeout
    {
        public static readonly HandshakeTimedOut Instance = new();
    }

    private sealed class InFlightCall(RequestId requestId, JToken? progressToken)
    {
        public RequestId RequestId { get; } = requestId;
        public JToken? ProgressToken { get; } = progressToken;
        public double LastProgress { get; set; } = double.NegativeInfinity;
    }

    protected override void PreStart()
    {
        Timers.StartSingleTimer(HandshakeTimer, HandshakeTimedOut.Instance, _options.HandshakeTimeout);
        if (_options.IdleTimeout is { } idle) Context.SetReceiveTimeout(idle);
    }

    protected override void PostStop()
    {
        foreach (var callId in _calls.Keys) _router.Tell(new CancelCall(new CallKey(_connectionId, callId)));
        if (!_closeRequested && !_socketGone)
            _outlet.Close(WebSocketCloseStatus.InternalServerError, "internal server error");
    }

    // State 1: nothing but ping and initialize is served.
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Inbound inbound:
                if (!TryRead(inbound.Text, out var msg)) return;
                if (msg.Kind != JsonRpcMessageKind.Request) return;
                var id = msg.Id!.Value;
                switch (msg.Method)
                {
                    case McpMethods.Ping:
                        Send(JsonRpcWriter.ResultRaw(id, "{}"));
                        return;
                    case McpMethods.Initialize:
                        Initialize(id, msg.Params);
                        return;
                    default:
                        SendError(id, JsonRpcErrorCodes.InvalidRequest, $"Session not initialized: send '{McpMethods.Initialize}' before '{msg.Method}'.");
                        return;
                }

            case HandshakeTimedOut:
                CloseSocket(WebSocketCloseStatus.PolicyViolation, "initialize not received in time");
                return;

            case Drain:
            case DrainDeadline:
                CloseSocket(WebSocketCloseStatus.EndpointUnavailable, "server shutting down");
                return;

            default:
                Common(message);
                return;
        }
    }

    // State 2: initialized; every method is served.
    private void Operating(object message)
    {
        switch (message)
        {
            case Inbound inbound:
                if (TryRead(inbound.Text, out var msg)) Dispatch(msg, draining: false);
                return;

            case Drain:
                Become(Draining);
                CloseIfDrained();
                return;

            case ReceiveTimeout:
                if (_calls.Count == 0) CloseSocket(WebSocketCloseStatus.NormalClosure, "idle timeout");
                return;

            default:
                if (!CallReplies(message)) Common(message);
                return;
        }
    }

    // State 3: shutting down; calls in flight finish, new ones are refused, the socket closes when none is left.
    private void Draining(object message)
    {
        switch (message)
        {
            case Inbound inbound:
                if (TryRead(inbound.Text, out var msg)) Dispatch(msg, draining: true);
                return;

            case DrainDeadline:
                CloseSocket(WebSocketCloseStatus.EndpointUnavailable, "server shutting down");
                return;

            case Drain:
            case ReceiveTimeout:
                return;

            default:
                if (CallReplies(message)) CloseIfDrained();
                else Common(message);
                return;
        }
    }

    // State 4: a close frame is on its way; wait for the socket to finish.
    private void Closing(object message)
    {
        if (message is SocketClosed) Context.Stop(Self);
    }

    private void Common(object message)
    {
        switch (message)
        {
            case SocketClosed:
                _socketGone = true;
                Context.Stop(Self);
                return;
            case ToolCallCompleted or ToolCallFailed or ToolCallProgress or ToolsListed or ListFailed or ReceiveTimeout:
                return; // the call was cancelled, or the session is not in a state that cares
            default:
                Unhandled(message);
                return;
        }
    }

    private void Initialize(RequestId id, JObject? parameters)
    {
        if (parameters?["protocolVersion"] is not { Type: JTokenType.String } requested)
        {
            SendError(id, JsonRpcErrorCodes.InvalidParams, "initialize needs params.protocolVersion (a string).");
            return;
        }

        ProtocolVersion = McpProtocolVersions.Negotiate((string?)requested);
        var result = new InitializeResult(ProtocolVersion, _definition.Capabilities, _definition.ServerInfo)
        {
            Instructions = _definition.Instructions,
        };
        Timers.Cancel(HandshakeTimer);
        Send(JsonRpcWriter.Result(id, result));
        Become(Operating);
    }

    private void Dispatch(JsonRpcMessage msg, bool draining)
    {
        if (msg.Kind == JsonRpcMessageKind.Notification)
        {
            switch (msg.Method)
            {
                case McpMethods.Initialized:
                    ClientInitialized = true;
                    return;
                case McpMethods.Cancelled:
                    CancelFromClient(msg.Params);
                    return;
                default:
                    return; // unknown notifications are ignored, as JSON-RPC requires
            }
        }

        if (msg.Kind != JsonRpcMessageKind.Request)
            return; // responses: this server sends no requests yet, so there is nothing to match

        var id = msg.Id!.Value;
        switch (msg.Method)
        {
            case McpMethods.Ping:
                Send(JsonRpcWriter.ResultRaw(id, "{}"));
                return;
            case McpMethods.Initialize:
                SendError(id, JsonRpcErrorCodes.InvalidRequest, "The session is already initialized.");
                return;
            case McpMethods.ToolsList:
                ListTools(id, msg.Params);
                return;
            case McpMethods.ToolsCall:
                if (draining) SendError(id, JsonRpcErrorCodes.ServerShuttingDown, "The server is shutting down and takes no new calls.");
                else CallTool(id, msg.Params);
                return;
            default:
                SendError(id, JsonRpcErrorCodes.MethodNotFound, $"Method not found: {msg.Method}");
                return;
        }
    }

    private void ListTools(RequestId id, JObject? parameters)
    {
        var cursor = parameters?["cursor"];
        if (cursor is not null && cursor.Type is not (JTokenType.String or JTokenType.Null))
        {
            SendError(id, JsonRpcErrorCodes.InvalidParams, "params.cursor must be a string.");
            return;
        }
        _router.Tell(new ListTools(id, (string?)cursor));
    }

    private void CallTool(RequestId id, JObject? parameters)
    {
        if (parameters?["name"] is not { Type: JTokenType.String } nameToken)
        {
            SendError(id, JsonRpcErrorCodes.InvalidParams, "tools/call needs params.name (a string).");
            return;
        }

        var args = parameters["arguments"];
        if (args is not null && args.Type is not (JTokenType.Object or JTokenType.Null))
        {
            SendError(id, JsonRpcErrorCodes.InvalidParams, "params.arguments must be an object.");
            return;
        }

        var progressToken = parameters["_meta"]?["progressToken"];
        if (progressToken is not null && progressToken.Type is not (JTokenType.String or JTokenType.Integer))
        {
            SendError(id, JsonRpcErrorCodes.InvalidParams, "params._meta.progressToken must be a string or an integer.");
            return;
        }

        if (_callIds.ContainsKey(id))
        {
            SendError(id, JsonRpcErrorCodes.InvalidRequest, $"Request id {id} is already in use by a call in flight.");
            return;
        }

        var callId = ++_nextCallId;
        _calls.Add(callId, new InFlightCall(id, progressToken));
        _callIds.Add(id, callId);
        var argumentsJson = args is JObject obj ? obj.ToString(Formatting.None) : "{}";
        _router.Tell(new CallTool(new CallKey(_connectionId, callId), id, (string)nameToken!, argumentsJson, progressToken is not null));

        if (!_paused && _calls.Count >= _options.MaxInFlightCallsPerConnection)
        {
            _paused = true;
            _outlet.PauseReading();
        }
    }

    private void CancelFromClient(JObject? parameters)
    {
        if (!RequestId.TryFrom(parameters?["requestId"], out var requestId)) return;
        if (!_callIds.TryGetValue(requestId, out var callId)) return; // finished or unknown: ignored, as the spec allows
        Forget(callId);
        _router.Tell(new CancelCall(new CallKey(_connectionId, callId)));
    }

    /// <summary>Handles the router's and workers' answers; false when the message is none of them.</summary>
    private bool CallReplies(object message)
    {
        switch (message)
        {
            case ToolCallCompleted done:
                if (Forget(done.CallId) is { } call) Send(JsonRpcWriter.ResultRaw(call.RequestId, done.ResultJson));
                return true;
            case ToolCallFailed failed:
                if (Forget(failed.CallId) is { } failedCall) SendError(failedCall.RequestId, failed.Code, failed.Message);
                return true;
            case ToolCallProgress progress:
                ReportProgress(progress);
                return true;
            case ToolsListed listed:
                Send(JsonRpcWriter.ResultRaw(listed.RequestId, listed.ResultJson));
                return true;
            case ListFailed listFailed:
                SendError(listFailed.RequestId, listFailed.Code, listFailed.Message);
                return true;
            default:
                return false;
        }
    }

    private void ReportProgress(ToolCallProgress progress)
    {
        if (!_calls.TryGetValue(progress.CallId, out var call) || call.ProgressToken is null) return;
        if (!(progress.Progress > call.LastProgress)) return; // the spec requires progress to increase
        call.LastProgress = progress.Progress;
        Send(JsonRpcWriter.Notification(McpMethods.Progress, new ProgressParams(call.ProgressToken, progress.Progress)
        {
            Total = progress.Total,
            Message = progress.Message,
        }));
    }

    private InFlightCall? Forget(long callId)
    {
        if (!_calls.Remove(callId, out var call)) return null;
        _callIds.Remove(call.RequestId);
        if (_paused && _calls.Count < _options.MaxInFlightCallsPerConnection)
        {
            _paused = false;
            _outlet.ResumeReading();
        }
        return call;
    }

    private void CloseIfDrained()
    {
        if (_calls.Count == 0) CloseSocket(WebSocketCloseStatus.EndpointUnavailable, "server shutting down");
    }

    private bool TryRead(string text, out JsonRpcMessage msg)
    {
        if (JsonRpcMessage.TryParse(text, out var parsed, out var error, out var errorId))
        {
            msg = parsed!;
            return true;
        }

        msg = null!;
        Send(JsonRpcWriter.Error(errorId, error!));
        return false;
    }

    private void SendError(RequestId id, int code, string message) => Send(JsonRpcWriter.Error(id, code, message));

    private void Send(string json)
    {
        if (!_outlet.TrySend(json) && !_closeRequested)
        {
            // The outlet closes the socket itself when its queue overflows; stop serving this session.
            _log.Warning("Connection {0}: outbound queue full, closing", _connectionId);
            _closeRequested = true;
            Become(Closing);
        }
    }

    private void CloseSocket(WebSocketCloseStatus status, string reason)
    {
        if (_closeRequested) return;
        _closeRequested = true;
        foreach (var callId in _calls.Keys) _router.Tell(new CancelCall(new CallKey(_connectionId, callId)));
        _calls.Clear();
        _callIds.Clear();
        _outlet.Close(status, reason);
        Become(Closing);
    }
}
