using System.Net.WebSockets;
using Akka.Actor;
using Akka.Event;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Calls;
using Pmcp.Actors.Security;
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
public sealed class ConnectionActor : UntypedActor, IWithTimers, IWithUnboundedStash
{
    private const string HandshakeTimer = "handshake";

    private readonly long _connectionId;
    private readonly McpServerDefinition _definition;
    private readonly McpServerOptions _options;
    private readonly IActorRef _router;
    private readonly ICallRunner _runner;
    private readonly IConnectionOutlet _outlet;
    private readonly CallerIdentity? _caller;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<long, InFlightCall> _calls = [];
    private readonly Dictionary<RequestId, long> _callIds = [];
    private readonly Dictionary<long, PendingClientRequest> _clientRequests = [];
    private readonly Dictionary<string, long> _clientRequestIds = [];
    private readonly HashSet<string> _subscriptions = new(StringComparer.Ordinal);
    private readonly Dictionary<RequestId, Batch> _batchOf = [];
    // Calls held back by the in-flight limit were admitted by the rate limiter once; they are not charged again.
    private readonly HashSet<Inbound> _heldBack = new(ReferenceEqualityComparer.Instance);
    private Inbound? _current;
    private long _nextCallId;
    private long _nextClientRequestId;
    private int _logRank;
    private ClientCapabilityFlags _clientCapabilities;
    // Lists ("tools", "resources", "prompts") that changed after initialize was answered but before the client said
    // notifications/initialized: told once it does, so a change in that window is not lost.
    private HashSet<string>? _changedBeforeInitialized;
    private bool _paused;
    private bool _closeRequested;
    private bool _socketGone;
    private readonly MessageRateLimiter? _rateLimiter;
    private int _violations;

    public ConnectionActor(long connectionId, McpServerDefinition definition, McpServerOptions options, IActorRef router, IConnectionOutlet outlet, CallerIdentity? caller = null, ToolCatalog? inProcessTools = null)
    {
        var toRouter = new RouterCallRunner(router);
        _runner = inProcessTools is null ? toRouter : new InProcessCallRunner(inProcessTools, toRouter, options);
        _caller = caller;
        _connectionId = connectionId;
        _definition = definition;
        _options = options;
        _router = router;
        _outlet = outlet;
        _logRank = LoggingLevels.Rank(options.DefaultLogLevel);
        if (options.MaxMessagesPerSecond > 0) _rateLimiter = new MessageRateLimiter(options.MaxMessagesPerSecond, options.MessageBurst);
    }

    /// <param name="inProcessTools">Tools this connection runs itself (see <see cref="InProcessCallRunner"/>); calls of other tools, and every call when null, go through <paramref name="router"/>.</param>
    public static Props Props(long connectionId, McpServerDefinition definition, McpServerOptions options, IActorRef router, IConnectionOutlet outlet, CallerIdentity? caller = null, ToolCatalog? inProcessTools = null) =>
        Akka.Actor.Props.Create(() => new ConnectionActor(connectionId, definition, options, router, outlet, caller, inProcessTools));

    public ITimerScheduler Timers { get; set; } = null!;

    public IStash Stash { get; set; } = null!;

    /// <summary>The protocol revision agreed in initialize; null before.</summary>
    internal string? ProtocolVersion { get; private set; }

    internal bool ClientInitialized { get; private set; }

    private sealed record HandshakeTimedOut : INotInfluenceReceiveTimeout
    {
        public static readonly HandshakeTimedOut Instance = new();
    }

    private sealed record ClientRequestTimedOut(long Id) : INotInfluenceReceiveTimeout;

    private sealed class InFlightCall(RequestId requestId, JToken? progressToken)
    {
        public RequestId RequestId { get; } = requestId;

        /// <summary>Set when the call runs here rather than on a worker of the router.</summary>
        public CallExecution? Local { get; set; }
        public JToken? ProgressToken { get; } = progressToken;
        public double LastProgress { get; set; } = double.NegativeInfinity;
        public long LastProgressAt { get; set; }
    }

    private sealed record PendingClientRequest(string Key, IActorRef ReplyTo, string Method, RequestId? Related);

    protected override void PreStart()
    {
        Timers.StartSingleTimer(HandshakeTimer, HandshakeTimedOut.Instance, _options.HandshakeTimeout);
        if (_options.IdleTimeout is { } idle) Context.SetReceiveTimeout(idle);
    }

    protected override void PostStop()
    {
        FailClientRequests("the connection closed");
        CancelAll();
        if (!_closeRequested && !_socketGone)
            _outlet.Close(WebSocketCloseStatus.InternalServerError, "internal server error");
    }

    // State 1: nothing but ping and initialize is served.
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Inbound inbound:
                if (!Admit(inbound.Text)) return;
                if (!TryRead(inbound.Text, out var msg)) return;
                if (msg.Kind != JsonRpcMessageKind.Request) return;
                var id = msg.Id!.Value;
                switch (msg.Method)
                {
                    case McpMethods.Ping:
                        SendResult(id, "{}");
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
                if (_heldBack.Remove(inbound) || Admit(inbound.Text)) Read(_current = inbound, draining: false);
                _current = null; // an idle session keeps no message
                return;

            case Drain:
                Become(Draining);
                Stash.UnstashAll(); // calls held back by the in-flight limit are now refused
                CloseIfDrained();
                return;

            case ReceiveTimeout:
                if (_calls.Count == 0 && _clientRequests.Count == 0) CloseSocket(WebSocketCloseStatus.NormalClosure, "idle timeout");
                return;

            default:
                if (!CallReplies(message) && !SessionMessages(message)) Common(message);
                return;
        }
    }

    // State 3: shutting down; calls in flight finish, new ones are refused, the socket closes when none is left.
    private void Draining(object message)
    {
        switch (message)
        {
            case Inbound inbound:
                if (_heldBack.Remove(inbound) || Admit(inbound.Text)) Read(_current = inbound, draining: true);
                _current = null; // an idle session keeps no message
                return;

            case DrainDeadline:
                CloseSocket(WebSocketCloseStatus.EndpointUnavailable, "server shutting down");
                return;

            case Drain:
            case ReceiveTimeout:
                return;

            default:
                if (CallReplies(message)) CloseIfDrained();
                else if (!SessionMessages(message)) Common(message);
                return;
        }
    }

    // State 4: a close frame is on its way; wait for the socket to finish.
    private void Closing(object message)
    {
        switch (message)
        {
            case SocketClosed:
                Context.Stop(Self);
                return;
            case ClientRequest request:
                Sender.Tell(new ClientRequestFailed(request.Key, ClientRequestFailure.ConnectionClosed, "The connection is closing."));
                return;
        }
    }

    private void Common(object message)
    {
        switch (message)
        {
            case SocketClosed:
                _socketGone = true;
                Context.Stop(Self);
                return;
            case CallAnswered or ToolCallProgress or ToolsListed or ListFailed or ReceiveTimeout
                or ResourceUpdated or ClientLog or CancelClientRequest or ClientRequestTimedOut:
                return; // the call was cancelled, or the session is not in a state that cares
            case ClientRequest request:
                Sender.Tell(new ClientRequestFailed(request.Key, ClientRequestFailure.NotSupported, "The session is not initialized."));
                return;
            case ListChanged changed:
                TakeTools(changed);
                return;
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
        // Kept as flags: a token taken from the request would keep the whole initialize message alive for the session.
        _clientCapabilities = ClientCapabilitiesOf(parameters["capabilities"] as JObject);
        var result = new InitializeResult(ProtocolVersion, _definition.Capabilities, _definition.ServerInfo)
        {
            Instructions = _definition.Instructions,
        };
        Timers.Cancel(HandshakeTimer);
        Send(JsonRpcWriter.Result(id, result), id, final: true);
        Become(Operating);
    }

    private void Dispatch(JsonRpcMessage msg, bool draining, bool inBatch = false)
    {
        if (msg.Kind == JsonRpcMessageKind.Notification)
        {
            switch (msg.Method)
            {
                case McpMethods.Initialized:
                    if (ClientInitialized) return;
                    ClientInitialized = true;
                    if (_changedBeforeInitialized is { } changed)
                    {
                        foreach (var list in changed) SendListChanged(list);
                        _changedBeforeInitialized = null;
                    }
                    return;
                case McpMethods.Cancelled:
                    CancelFromClient(msg.Params);
                    return;
                default:
                    return; // unknown notifications are ignored, as JSON-RPC requires
            }
        }

        if (msg.Kind != JsonRpcMessageKind.Request)
        {
            ClientAnswered(msg);
            return;
        }

        var id = msg.Id!.Value;
        var method = msg.Method!;
        if (!Offers(method))
        {
            SendError(id, JsonRpcErrorCodes.MethodNotFound, $"Method not found: {method}");
            return;
        }

        switch (method)
        {
            case McpMethods.Ping:
                SendResult(id, "{}");
                return;
            case McpMethods.Initialize:
                SendError(id, JsonRpcErrorCodes.InvalidRequest, "The session is already initialized.");
                return;
            case McpMethods.LoggingSetLevel:
                SetLevel(id, msg.Params);
                return;
            case McpMethods.ToolsList or McpMethods.ResourcesList or McpMethods.ResourcesTemplatesList or McpMethods.PromptsList:
                List(id, method, msg.Params);
                return;
            case McpMethods.ResourcesSubscribe or McpMethods.ResourcesUnsubscribe:
                Subscribe(id, method == McpMethods.ResourcesSubscribe, msg.Params);
                return;
            case McpMethods.ToolsCall or McpMethods.ResourcesRead or McpMethods.PromptsGet or McpMethods.CompletionComplete:
                if (draining) SendError(id, JsonRpcErrorCodes.ServerShuttingDown, "The server is shutting down and takes no new calls.");
                else if (_calls.Count >= _options.MaxInFlightCallsPerConnection && !inBatch) HoldBack(); // read ahead of the pause: runs when a call ends
                else StartCall(id, method, msg);
                return;
            default:
                SendError(id, JsonRpcErrorCodes.MethodNotFound, $"Method not found: {method}");
                return;
        }
    }

    /// <summary>False for the methods of a feature the server did not announce in its capabilities (answered -32601).</summary>
    private bool Offers(string method) => method switch
    {
        _ when method.StartsWith("resources/", StringComparison.Ordinal) => _definition.Capabilities.Resources is not null,
        _ when method.StartsWith("prompts/", StringComparison.Ordinal) => _definition.Capabilities.Prompts is not null,
        McpMethods.CompletionComplete => _definition.Capabilities.Completions is not null,
        _ => true,
    };

    private void List(RequestId id, string method, JObject? parameters)
    {
        var cursor = parameters?["cursor"];
        if (cursor is not null && cursor.Type is not (JTokenType.String or JTokenType.Null))
        {
            SendError(id, JsonRpcErrorCodes.InvalidParams, "params.cursor must be a string.");
            return;
        }
        _router.Tell(new ListItems(id, method, (string?)cursor));
    }

    private void Subscribe(RequestId id, bool subscribe, JObject? parameters)
    {
        if (parameters?["uri"] is not { Type: JTokenType.String } uri)
        {
            SendError(id, JsonRpcErrorCodes.InvalidParams, "params.uri must be a string.");
            return;
        }
        if (subscribe) _subscriptions.Add((string)uri!);
        else _subscriptions.Remove((string)uri!);
        SendResult(id, "{}");
    }

    /// <summary>Starts a request that runs user code on a worker: it counts as a call in flight and can be cancelled.</summary>
    private void StartCall(RequestId id, string method, JsonRpcMessage msg)
    {
        var meta = msg.Param("_meta");
        if (meta is not null && meta.Type is not (JTokenType.Object or JTokenType.Null))
        {
            SendError(id, JsonRpcErrorCodes.InvalidParams, "params._meta must be an object.");
            return;
        }

        var progressToken = (meta as JObject)?["progressToken"];
        if (progressToken is not null && progressToken.Type is not (JTokenType.String or JTokenType.Integer))
        {
            SendError(id, JsonRpcErrorCodes.InvalidParams, "params._meta.progressToken must be a string or an integer.");
            return;
        }

        var key = new CallKey(_connectionId, _nextCallId + 1);
        string? toolName = null;
        JObject? arguments = null;
        if (method == McpMethods.ToolsCall)
        {
            if (msg.Param("name") is not { Type: JTokenType.String } nameToken)
            {
                SendError(id, JsonRpcErrorCodes.InvalidParams, "tools/call needs params.name (a string).");
                return;
            }

            var args = msg.Param("arguments");
            if (args is not null && args.Type is not (JTokenType.Object or JTokenType.Null))
            {
                SendError(id, JsonRpcErrorCodes.InvalidParams, "params.arguments must be an object.");
                return;
            }
            toolName = (string)nameToken!;
            arguments = Detached(args);
        }

        if (_callIds.ContainsKey(id))
        {
            SendError(id, JsonRpcErrorCodes.InvalidRequest, $"Request id {id} is already in use by a call in flight.");
            return;
        }

        var start = toolName is not null
            ? _runner.StartTool(key, id, toolName, arguments, progressToken is not null, _caller, Self)
            : _runner.StartRequest(key, id, method, msg.Params, _caller, Self);
        if (start.Refused is { } refused)
        {
            Reply(id, refused.ResponseJson);
            return;
        }

        _nextCallId = key.CallId;
        var call = new InFlightCall(id, progressToken) { Local = start.Running };
        _calls.Add(key.CallId, call);
        _callIds.Add(id, key.CallId);

        if (!_paused && _calls.Count >= _options.MaxInFlightCallsPerConnection)
        {
            _paused = true;
            _outlet.PauseReading();
        }

        // A tool that finished at once, having told the connection nothing, is answered now; the others answer
        // through the mailbox, behind their progress and log messages.
        if (start.Answer is not { } started) return;
        if (started.IsCompletedSuccessfully && !call.Local!.HasTold) CallReplies(started.Result);
        else started.AsTask().PipeTo(Self);
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

    private void CancelFromClient(JObject? parameters)
    {
        if (!RequestId.TryFrom(parameters?["requestId"], out var requestId)) return;
        if (!_callIds.TryGetValue(requestId, out var callId)) return; // finished or unknown: ignored, as the spec allows
        var call = Forget(callId)!;
        if (_batchOf.Remove(requestId, out var batch) && --batch.Pending == 0 && batch.Responses.Count > 0)
            Send(batch.ToJson()); // the cancelled call gets no response, in a batch as alone
        Cancel(callId, call);
    }

    /// <summary>Handles the router's and workers' answers; false when the message is none of them.</summary>
    private bool CallReplies(object message)
    {
        switch (message)
        {
            case CallAnswered answered:
                if (Forget(answered.CallId) is { } call) Reply(call.RequestId, answered.ResponseJson);
                return true;
            case ToolCallProgress progress:
                ReportProgress(progress);
                return true;
            case ToolsListed listed:
                SendResult(listed.RequestId, listed.ResultJson);
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
        var now = Environment.TickCount64;
        var final = progress.Total is { } total && progress.Progress >= total;
        if (!final && call.LastProgressAt != 0 && now - call.LastProgressAt < (long)_options.ProgressInterval.TotalMilliseconds) return;
        call.LastProgress = progress.Progress;
        call.LastProgressAt = now;
        Send(JsonRpcWriter.Notification(McpMethods.Progress, new ProgressParams(call.ProgressToken, progress.Progress)
        {
            Total = progress.Total,
            Message = progress.Message,
        }), call.RequestId);
    }

    private void Cancel(long callId, InFlightCall call)
    {
        _runner.Cancel(new CallKey(_connectionId, callId), call.Local);
    }

    private void CancelAll()
    {
        foreach (var (callId, call) in _calls) Cancel(callId, call);
    }

    private InFlightCall? Forget(long callId)
    {
        if (!_calls.Remove(callId, out var call)) return null;
        _callIds.Remove(call.RequestId);
        if (_calls.Count < _options.MaxInFlightCallsPerConnection)
        {
            Stash.UnstashAll();
            if (_paused)
            {
                _paused = false;
                _outlet.ResumeReading();
            }
        }
        return call;
    }

    /// <summary>A change of the router's tools comes with its new catalog: calls from now on run what it holds.</summary>
    private void TakeTools(ListChanged changed)
    {
        if (changed.Tools is not null && _runner is InProcessCallRunner inProcess) inProcess.Catalog = changed.Tools;
    }

    private void SendListChanged(string list) => Send(JsonRpcWriter.Notification($"notifications/{list}/list_changed", null));

    /// <summary>Messages of an initialized session besides call replies; false when the message is none of them.</summary>
    private bool SessionMessages(object message)
    {
        switch (message)
        {
            case ListChanged changed:
                TakeTools(changed);
                if (ClientInitialized) SendListChanged(changed.List);
                else (_changedBeforeInitialized ??= new HashSet<string>(StringComparer.Ordinal)).Add(changed.List);
                return true;
            case ResourceUpdated updated:
                if (_subscriptions.Contains(updated.Uri))
                    Send(JsonRpcWriter.Notification(McpMethods.ResourcesUpdated, new JObject { ["uri"] = updated.Uri }));
                return true;
            case ClientLog log:
                if (LoggingLevels.Rank(log.Level) >= _logRank)
                {
                    var note = new JObject { ["level"] = log.Level };
                    if (log.Logger is not null) note["logger"] = log.Logger;
                    note["data"] = McpJson.Parse(log.DataJson);
                    Send(JsonRpcWriter.Notification(McpMethods.Message, note), log.RelatedRequest);
                }
                return true;
            case ClientRequest request:
                SendClientRequest(request);
                return true;
            case CancelClientRequest cancel:
                if (_clientRequestIds.Remove(cancel.Key, out var cancelledId) && _clientRequests.Remove(cancelledId, out var cancelled))
                {
                    Timers.Cancel(ClientRequestTimer(cancelledId));
                    Send(JsonRpcWriter.Notification(McpMethods.Cancelled, new CancelledParams(new RequestId(cancelledId)) { Reason = "cancelled by the server" }), cancelled.Related);
                }
                return true;
            case ClientRequestTimedOut timedOut:
                if (_clientRequests.Remove(timedOut.Id, out var expired))
                {
                    _clientRequestIds.Remove(expired.Key);
                    Send(JsonRpcWriter.Notification(McpMethods.Cancelled, new CancelledParams(new RequestId(timedOut.Id)) { Reason = "timed out" }), expired.Related);
                    expired.ReplyTo.Tell(new ClientRequestFailed(expired.Key, ClientRequestFailure.Timeout,
                        $"The client did not answer {expired.Method} within {_options.ClientRequestTimeout.TotalSeconds:0.###} s."));
                }
                return true;
            default:
                return false;
        }
    }

    private void SetLevel(RequestId id, JObject? parameters)
    {
        var rank = LoggingLevels.Rank((string?)(parameters?["level"] as JValue));
        if (rank < 0)
        {
            SendError(id, JsonRpcErrorCodes.InvalidParams, $"params.level must be one of: {string.Join(", ", LoggingLevels.All)}.");
            return;
        }
        _logRank = rank;
        SendResult(id, "{}");
    }

    private void SendClientRequest(ClientRequest request)
    {
        if (Unsupported(request) is { } reason)
        {
            Sender.Tell(new ClientRequestFailed(request.Key, ClientRequestFailure.NotSupported, reason));
            return;
        }

        var id = ++_nextClientRequestId;
        _clientRequests[id] = new PendingClientRequest(request.Key, Sender, request.Method, request.RelatedRequest);
        _clientRequestIds[request.Key] = id;
        Timers.StartSingleTimer(ClientRequestTimer(id), new ClientRequestTimedOut(id), _options.ClientRequestTimeout);
        Send(JsonRpcWriter.RequestRaw(new RequestId(id), request.Method, request.ParamsJson), request.RelatedRequest);
    }

    [Flags]
    private enum ClientCapabilityFlags
    {
        None = 0,
        Sampling = 1,
        Roots = 2,
        Elicitation = 4,
        ElicitationForm = 8,
        ElicitationUrl = 16,
    }

    private static ClientCapabilityFlags ClientCapabilitiesOf(JObject? capabilities)
    {
        var flags = ClientCapabilityFlags.None;
        if (capabilities is null) return flags;
        if (capabilities["sampling"] is JObject) flags |= ClientCapabilityFlags.Sampling;
        if (capabilities["roots"] is JObject) flags |= ClientCapabilityFlags.Roots;
        if (capabilities["elicitation"] is JObject elicitation)
        {
            flags |= ClientCapabilityFlags.Elicitation;
            // An empty elicitation object means form mode (revisions before 2025-11-25 had no modes).
            if (elicitation.Count == 0 || elicitation["form"] is JObject) flags |= ClientCapabilityFlags.ElicitationForm;
            if (elicitation["url"] is JObject) flags |= ClientCapabilityFlags.ElicitationUrl;
        }
        return flags;
    }

    /// <summary>Why this client may not be sent this request, or null when it may.</summary>
    private string? Unsupported(ClientRequest request)
    {
        if (request.Method == McpMethods.Ping) return null;
        if (!ClientInitialized) return "The client has not sent notifications/initialized yet.";
        switch (request.Method)
        {
            case McpMethods.SamplingCreateMessage:
                return _clientCapabilities.HasFlag(ClientCapabilityFlags.Sampling) ? null : "The client did not declare the sampling capability.";
            case McpMethods.RootsList:
                return _clientCapabilities.HasFlag(ClientCapabilityFlags.Roots) ? null : "The client did not declare the roots capability.";
            case McpMethods.ElicitationCreate:
                if (!_clientCapabilities.HasFlag(ClientCapabilityFlags.Elicitation) || string.CompareOrdinal(ProtocolVersion, McpProtocolVersions.V2025_06_18) < 0)
                    return "The client did not declare the elicitation capability.";
                var mode = request.ParamsJson is null ? null : (string?)(McpJson.Parse(request.ParamsJson)["mode"] as JValue);
                if (mode == "url")
                {
                    return _clientCapabilities.HasFlag(ClientCapabilityFlags.ElicitationUrl) && string.CompareOrdinal(ProtocolVersion, McpProtocolVersions.V2025_11_25) >= 0
                        ? null
                        : "The client did not declare URL-mode elicitation.";
                }
                return _clientCapabilities.HasFlag(ClientCapabilityFlags.ElicitationForm) ? null : "The client did not declare form-mode elicitation.";
            default:
                return $"The server does not send {request.Method} to clients.";
        }
    }

    private void ClientAnswered(JsonRpcMessage msg)
    {
        if (msg.Id?.AsNumber is not { } id || !_clientRequests.Remove(id, out var pending)) return; // unknown or late: ignored
        _clientRequestIds.Remove(pending.Key);
        Timers.Cancel(ClientRequestTimer(id));
        if (msg.Kind == JsonRpcMessageKind.Response)
            pending.ReplyTo.Tell(new ClientRequestCompleted(pending.Key, msg.Result!.ToString(Formatting.None)));
        else
            pending.ReplyTo.Tell(new ClientRequestFailed(pending.Key, ClientRequestFailure.ErrorResponse,
                $"The client answered {pending.Method} with error {msg.Error!.Code}: {msg.Error.Message}", msg.Error.Code));
    }

    private void FailClientRequests(string why)
    {
        foreach (var pending in _clientRequests.Values)
            pending.ReplyTo.Tell(new ClientRequestFailed(pending.Key, ClientRequestFailure.ConnectionClosed, $"The request {pending.Method} failed: {why}."));
        _clientRequests.Clear();
        _clientRequestIds.Clear();
    }

    private static string ClientRequestTimer(long id) => "client-request-" + id;

    /// <summary>
    /// The per-connection message rate limit: true when the message may be handled. A request over the limit is
    /// answered with -32005 (a batch with one -32005 whose id is null), a notification is dropped; responses to the
    /// server's own requests always pass (the server sets their pace). Too many refusals in a row close with 1008.
    /// </summary>
    private bool Admit(string text)
    {
        if (_rateLimiter is null || _closeRequested) return true;
        if (_rateLimiter.TryTake(Context.System.Scheduler.Now))
        {
            _violations = 0;
            return true;
        }

        // Parsed only when refused (the admitted message is parsed once, by Read).
        var batch = text.AsSpan().TrimStart().StartsWith("[");
        JsonRpcMessage? msg = null;
        if (!batch && JsonRpcMessage.TryParse(text, out var parsed, out _, out _)) msg = parsed;
        if (msg?.Kind is JsonRpcMessageKind.Response or JsonRpcMessageKind.ErrorResponse) return true;

        if (++_violations >= _options.RateLimitViolationsBeforeClose)
        {
            _log.Warning("Connection {0}: {1} messages over the rate limit in a row, closing", _connectionId, _violations);
            CloseSocket(WebSocketCloseStatus.PolicyViolation, "message rate limit exceeded");
            return false;
        }

        var message = $"Rate limited: more than {_options.MaxMessagesPerSecond:0.###} messages per second; the request was not run.";
        if (batch) Send(JsonRpcWriter.Error(null, JsonRpcErrorCodes.RateLimited, message));
        else if (msg is { Kind: JsonRpcMessageKind.Request }) Send(JsonRpcWriter.Error(msg.Id!.Value, JsonRpcErrorCodes.RateLimited, message), msg.Id!.Value, final: true);
        // Notifications and unparseable text are dropped silently.
        return false;
    }

    private void HoldBack()
    {
        _heldBack.Add(_current!);
        Stash.Stash();
    }

    private void CloseIfDrained()
    {
        if (_calls.Count == 0) CloseSocket(WebSocketCloseStatus.EndpointUnavailable, "server shutting down");
    }

    private void Read(Inbound inbound, bool draining)
    {
        var text = inbound.Text;
        if (ProtocolVersion == McpProtocolVersions.V2025_03_26 && text.AsSpan().TrimStart().StartsWith("["))
        {
            JToken token;
            try
            {
                token = McpJson.Parse(text);
            }
            catch (JsonReaderException ex)
            {
                Send(JsonRpcWriter.Error(null, JsonRpcErrorCodes.ParseError, "Parse error: " + ex.Message));
                return;
            }
            HandleBatch((JArray)token, draining);
            return;
        }

        if (TryRead(text, out var msg)) Dispatch(msg, draining);
    }

    private bool TryRead(string text, out JsonRpcMessage msg)
    {
        if (JsonRpcMessage.TryParse(text, out var parsed, out var error, out var errorId))
        {
            msg = parsed!;
            return true;
        }

        msg = null!;
        Send(JsonRpcWriter.Error(errorId, error!), errorId, final: true);
        return false;
    }

    private void SendError(RequestId id, int code, string message) => Reply(id, JsonRpcWriter.Error(id, code, message));

    private void SendResult(RequestId id, string resultJson) => Reply(id, JsonRpcWriter.ResultRaw(id, resultJson));

    /// <summary>Sends the response to request <paramref name="id"/>, or holds it for its batch until the batch is complete.</summary>
    private void Reply(RequestId id, string json)
    {
        if (_batchOf.Remove(id, out var batch))
        {
            batch.Responses.Add(json);
            if (--batch.Pending == 0) Send(batch.ToJson());
            return;
        }
        Send(json, id, final: true);
    }

    /// <summary>
    /// A JSON-RPC batch (2025-03-26 sessions only): every element is handled as if it came alone, and the responses go
    /// back as one array once the last is ready. Notifications get none; an array of notifications gets no answer at all.
    /// </summary>
    private void HandleBatch(JArray elements, bool draining)
    {
        if (elements.Count == 0)
        {
            Send(JsonRpcWriter.Error(null, JsonRpcErrorCodes.InvalidRequest, "Invalid request: an empty batch."));
            return;
        }

        var batch = new Batch();
        var messages = new List<JsonRpcMessage>();
        foreach (var element in elements)
        {
            if (!JsonRpcMessage.TryFrom(element, out var msg, out var error, out var errorId))
            {
                batch.Responses.Add(JsonRpcWriter.Error(errorId, error!));
                continue;
            }
            if (msg!.Kind == JsonRpcMessageKind.Request)
            {
                var id = msg.Id!.Value;
                if (msg.Method == McpMethods.Initialize || !_batchOf.TryAdd(id, batch))
                {
                    var why = msg.Method == McpMethods.Initialize ? "initialize must not be part of a batch." : $"request id {id} is used twice.";
                    batch.Responses.Add(JsonRpcWriter.Error(id, JsonRpcErrorCodes.InvalidRequest, "Invalid request: " + why));
                    continue;
                }
                batch.Pending++;
            }
            messages.Add(msg);
        }

        // Counted first, dispatched second: a request answered at once must not complete the batch early.
        batch.Pending++;
        foreach (var msg in messages) Dispatch(msg, draining, inBatch: true);
        if (--batch.Pending == 0 && batch.Responses.Count > 0) Send(batch.ToJson());
    }

    private sealed class Batch
    {
        public List<string> Responses { get; } = [];

        public int Pending { get; set; }

        public string ToJson() => "[" + string.Join(",", Responses) + "]";
    }

    private void Send(string json) => Sent(_outlet.TrySend(json));

    /// <summary>Sends a message that belongs to the client's request <paramref name="related"/> (a transport with a stream per request routes it there).</summary>
    private void Send(string json, RequestId? related, bool final = false) =>
        Sent(related is { } id ? _outlet.TrySend(json, id, final) : _outlet.TrySend(json));

    private void Sent(bool accepted)
    {
        if (!accepted && !_closeRequested)
        {
            // The socket is closing (either side) or the client let the queue fill, which the outlet answers with 1008:
            // either way this session is done.
            _log.Debug("Connection {0}: the socket takes no more messages (closing, or its outbound queue is full)", _connectionId);
            _closeRequested = true;
            Become(Closing);
        }
    }

    private void CloseSocket(WebSocketCloseStatus status, string reason)
    {
        if (_closeRequested) return;
        _closeRequested = true;
        CancelAll();
        _calls.Clear();
        _callIds.Clear();
        FailClientRequests("the connection closed");
        _outlet.Close(status, reason);
        Become(Closing);
    }
}
