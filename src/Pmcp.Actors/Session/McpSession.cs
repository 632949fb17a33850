using Newtonsoft.Json.Linq;
using Pmcp.Actors.Calls;
using Pmcp.Actors.Security;
using Pmcp.Actors.Session.Era2026;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using static Pmcp.Actors.Messages.ConnectionProtocol;
using static Pmcp.Actors.Messages.ToolRouterProtocol;

namespace Pmcp.Actors.Session;

/// <summary>
/// One MCP session, knowing neither Akka nor a transport: its state (phase, negotiated version, client capabilities,
/// subscriptions, log level) and what each message does to it. Requests go through the era's <see cref="MethodTable"/>
/// (a method is one entry and one handler); calls of user code through <see cref="SessionCalls"/> and its
/// <see cref="ICallRunner"/>; everything the session does outside itself through its <see cref="ISessionHost"/>.
/// Not thread-safe: its host gives it one message at a time.
/// </summary>
internal sealed partial class McpSession
{
    private readonly ISessionHost _host;
    private InboundAdmission? _admission;
    private readonly RequestTelemetry _telemetry;
    private HashSet<string>? _subscriptions; // made with the first resources/subscribe: a 2026 request never makes one
    // Lists ("tools", "resources", "prompts") that changed after initialize was answered but before the client said
    // notifications/initialized: told once it does, so a change in that window is not lost.
    private HashSet<string>? _changedBeforeInitialized;
    private bool _closeRequested;
    private bool _transportGone;
    private MethodTable _methods = MethodTable.For(null);

    public McpSession(McpServerDefinition definition, McpServerOptions options, ISessionHost host, ICallRunner runner, long connectionId, CallerIdentity? caller, RequestTelemetry? telemetry = null, Pmcp.Actors.Tasks.TaskService? tasks = null)
    {
        Tasks = tasks;
        _telemetry = telemetry ?? new RequestTelemetry(null, "other");
        Definition = definition;
        Options = options;
        _host = host;
        Caller = caller;
        LogRank = LoggingLevels.Rank(options.DefaultLogLevel);
        Batches = new SessionBatches(this);
        Calls = new SessionCalls(this, host, runner, connectionId);
        ClientRequests = new ClientRequests(this, host);
        if (options.MaxMessagesPerSecond > 0) _admission = new InboundAdmission(this, options);
    }

    public McpServerDefinition Definition { get; }

    public McpServerOptions Options { get; }

    public CallerIdentity? Caller { get; private set; }

    /// <summary>The node's tasks (<c>WithMcpTasks</c>); null: this server runs no tasks, and tools/call is served as always.</summary>
    internal Pmcp.Actors.Tasks.TaskService? Tasks { get; }

    /// <summary>What this session's tasks know of it: who owns them, and (2025-11-25 <c>tasks/list</c>) which ones it made.</summary>
    internal TaskMethods.SessionTasks TaskScope => _taskScope ??= new TaskMethods.SessionTasks(this);

    private TaskMethods.SessionTasks? _taskScope;

    public SessionPhase Phase { get; private set; }

    /// <summary>The protocol revision agreed in initialize; null before.</summary>
    public string? ProtocolVersion { get; private set; }

    public bool ClientInitialized { get; private set; }

    /// <summary>What the client said it can do in initialize (kept as flags: its token would keep the whole message alive).</summary>
    public ClientCapabilityFlags ClientCapabilities { get; private set; }

    /// <summary>The rank of the lowest log level the client gets (<c>logging/setLevel</c>).</summary>
    public int LogRank { get; set; }

    public ISet<string> Subscriptions => _subscriptions ??= new HashSet<string>(StringComparer.Ordinal);

    public SessionCalls Calls { get; }

    internal RequestTelemetry Telemetry => _telemetry;

    public ClientRequests ClientRequests { get; }

    /// <summary><c>notifications/cancelled</c>: the request named gets no response, and its call (if one runs) is cancelled.</summary>
    internal void ClientCancelled(JObject? parameters)
    {
        if (!RequestId.TryFrom(parameters?["requestId"], out var requestId)) return;
        _telemetry.Cancelled(requestId, ProtocolVersion);
        if (Listens?.Cancelled(requestId) != true) Calls.CancelFromClient(requestId);
        _host.RequestCancelled(requestId);
    }

    internal SessionBatches Batches { get; }

    /// <summary>Set when the session serves the modern era (2026-07-28): its requests in flight and what each one declared.</summary>
    internal ModernRequests? Modern { get; private set; }

    /// <summary>Set with <see cref="Modern"/>: the session's open <c>subscriptions/listen</c> requests.</summary>
    internal SubscriptionListens? Listens { get; private set; }

    internal ISessionHost Host => _host;

    /// <summary>The method table of the session's era (before initialize: the 2025 era's, for ping and initialize).</summary>
    public MethodTable Methods => _methods;

    /// <summary>One complete inbound message as text, from the transport.</summary>
    public void Receive(string text)
    {
        if (Phase == SessionPhase.Closing || _admission?.Admit(text) == false) return;
        if (Phase != SessionPhase.AwaitingInitialize && ProtocolVersion == McpProtocolVersions.V2025_03_26 && text.AsSpan().TrimStart().StartsWith("["))
            Batches.Handle(text);
        else if (TryRead(text, out var message))
            Dispatch(message);
        Calls.RunHeldBack();
    }

    /// <summary>One inbound message the transport has parsed already.</summary>
    public void Receive(JsonRpcMessage message)
    {
        if (Phase == SessionPhase.Closing || _admission?.Admit(message) == false) return;
        Dispatch(message);
        Calls.RunHeldBack();
    }

    /// <summary>Handles one message, alone or as an element of a batch.</summary>
    internal void Dispatch(JsonRpcMessage message)
    {
        switch (message.Kind)
        {
            case JsonRpcMessageKind.Notification:
                if (Phase == SessionPhase.AwaitingInitialize || Methods.Notification(message.Method!) is not { } notified) return; // unknown notifications are ignored, as JSON-RPC requires
                var startedAt = _telemetry.Now;
                notified(this, message);
                if (startedAt != 0) _telemetry.Notified(message.Method!, startedAt, ProtocolVersion);
                return;
            case JsonRpcMessageKind.Response or JsonRpcMessageKind.ErrorResponse:
                if (Phase != SessionPhase.AwaitingInitialize) ClientRequests.Answered(message);
                return;
        }

        var id = message.Id!.Value;
        var method = message.Method!;
        // A channel whose first request describes itself (2026-07-28 _meta, or server/discover) serves the modern era.
        if (Phase == SessionPhase.AwaitingInitialize && Options.ServeStatelessEra && ModernProtocol.IsModern(message)) EnterModernEra();
        _telemetry.Started(id, message);
        var entry = Methods.Find(method);
        if (Phase == SessionPhase.AwaitingInitialize)
        {
            if (entry is { BeforeInitialize: true }) entry.Handler(this, id, message);
            else SendError(id, JsonRpcErrorCodes.InvalidRequest, $"Session not initialized: send '{McpMethods.Initialize}' before '{method}'.");
            return;
        }
        if (entry is null || !entry.IsOffered(Definition.Capabilities))
        {
            SendError(id, JsonRpcErrorCodes.MethodNotFound, $"Method not found: {method}");
            return;
        }
        if (entry.RunsUserCode)
        {
            if (Phase == SessionPhase.Draining)
            {
                SendError(id, JsonRpcErrorCodes.ServerShuttingDown, "The server is shutting down and takes no new calls.");
                return;
            }
            if (Calls.AtLimit)
            {
                // Read ahead of the pause, or a later element of a batch: runs when a call ends. A batch of 40,000 calls
                // runs MaxInFlightCallsPerConnection at a time, as 40,000 single calls would.
                Calls.HoldBack(message);
                return;
            }
        }
        entry.Handler(this, id, message);
    }

    /// <summary>initialize was answered: the session operates in the era of <paramref name="version"/>.</summary>
    internal void Initialized(string version, ClientCapabilityFlags capabilities)
    {
        ProtocolVersion = version;
        _methods = MethodTable.For(version);
        ClientCapabilities = capabilities;
        _host.HandshakeDone();
        Phase = SessionPhase.Operating;
    }

    /// <summary>
    /// The session serves 2026-07-28 from now on: no handshake, each request says who its client is and what it can do
    /// (<see cref="Modern"/>), and initialize, ping and the other methods that era removed are unknown methods.
    /// </summary>
    private void EnterModernEra()
    {
        Modern = _spareModern?.Renewed(Caller) ?? new ModernRequests(Options, Caller);
        _spareModern = null;
        Listens = new SubscriptionListens(this);
        ProtocolVersion = ModernProtocol.Version;
        _methods = MethodTable.For(ModernProtocol.Version);
        ClientInitialized = true;
        _host.HandshakeDone();
        Phase = SessionPhase.Operating;
    }

    /// <summary>The client said notifications/initialized: lists that changed meanwhile are told now.</summary>
    internal void ClientSaidInitialized()
    {
        if (ClientInitialized) return;
        ClientInitialized = true;
        if (_changedBeforeInitialized is { } changed)
        {
            foreach (var list in changed) SendListChanged(list);
            _changedBeforeInitialized = null;
        }
    }

    public void Answered(CallAnswered answer)
    {
        if (!IsOpen) return; // cancelled, or the session is not in a state that cares
        Calls.Answered(answer);
        Calls.RunHeldBack();
        CloseIfDrained();
    }

    public void Progress(ToolCallProgress progress)
    {
        if (IsOpen) Calls.Progress(progress);
    }

    public void Listed(RequestId id, string resultJson)
    {
        if (IsOpen) SendResult(id, resultJson);
    }

    public void ListFailed(RequestId id, int code, string message)
    {
        if (IsOpen) SendError(id, code, message);
    }

    public void ListChanged(string list)
    {
        if (!IsOpen) return;
        if (Listens is not null)
        {
            Listens.ListChanged(list); // a 2026 client hears of changes only through subscriptions/listen
            return;
        }
        if (ClientInitialized) SendListChanged(list);
        else (_changedBeforeInitialized ??= new HashSet<string>(StringComparer.Ordinal)).Add(list);
    }

    /// <summary>
    /// A task this session made changed its status: a 2025-11-25 session tells its client (<c>notifications/tasks/status</c>,
    /// the task as <c>tasks/get</c> shows it). 2026-07-28 has no session to tell: its <c>notifications/tasks</c> come
    /// through <c>subscriptions/listen</c> (<see cref="TaskListenNotice"/>).
    /// </summary>
    public void TaskStatusChanged(string stateJson)
    {
        if (!IsOpen || Modern is not null || Tasks is not { } tasks) return;
        var task = TaskMethods.TaskWire.Task2025(Pmcp.Actors.Tasks.TaskState.FromJson(stateJson), tasks.PollIntervalMs);
        Send(JsonRpcWriter.Notification(McpMethods.TasksStatus, task));
    }

    /// <summary>A task that a listen of this session named is now as <paramref name="stateJson"/> says (<paramref name="subscription"/>: which listen).</summary>
    public void TaskListenNotice(string subscription, string stateJson)
    {
        if (IsOpen) Listens?.TaskChanged(subscription, stateJson);
    }

    public void ResourceUpdated(string uri)
    {
        if (IsOpen && Listens is not null) Listens.ResourceUpdated(uri);
        else if (IsOpen && _subscriptions?.Contains(uri) == true) Send(JsonRpcWriter.Notification(McpMethods.ResourcesUpdated, new JObject { ["uri"] = uri }));
    }

    public void Log(ClientLog log)
    {
        // 2025: the session's level (logging/setLevel); 2026: the level the request the message belongs to asked for, none if it asked for none.
        var threshold = Modern is null ? LogRank : Modern.LogRank(log.RelatedRequest);
        if (!IsOpen || threshold < 0 || LoggingLevels.Rank(log.Level) < threshold) return;
        var note = new JObject { ["level"] = log.Level };
        if (log.Logger is not null) note["logger"] = log.Logger;
        note["data"] = McpJson.Parse(log.DataJson);
        Send(JsonRpcWriter.Notification(McpMethods.Message, note), log.RelatedRequest);
    }

    /// <summary>A tool asks the client something; <paramref name="asker"/> is told how it ends (<see cref="ISessionHost.TellAsker"/>).</summary>
    public void SendClientRequest(ClientRequest request, object asker)
    {
        switch (Phase)
        {
            case SessionPhase.AwaitingInitialize:
                _host.TellAsker(asker, new ClientRequestFailed(request.Key, ClientRequestFailure.NotSupported, "The session is not initialized."));
                return;
            case SessionPhase.Closing:
                _host.TellAsker(asker, new ClientRequestFailed(request.Key, ClientRequestFailure.ConnectionClosed, "The connection is closing."));
                return;
            default:
                if (request.Method == Tools.TaskHandoff.Method) TaskMethods.TaskHandoffs.Handle(this, request, asker);
                else if (Modern is not null) InputRequests.Ask(this, request, asker);
                else ClientRequests.Send(request, asker);
                return;
        }
    }

    public void CancelClientRequest(string key)
    {
        if (IsOpen) ClientRequests.Cancel(key);
    }

    public void ClientRequestTimedOut(long id)
    {
        if (IsOpen) ClientRequests.TimedOut(id);
    }

    internal void SendListChanged(string list) => Send(JsonRpcWriter.Notification($"notifications/{list}/list_changed", null));

    private bool TryRead(string text, out JsonRpcMessage message)
    {
        if (JsonRpcMessage.TryParse(text, out var parsed, out var error, out var errorId))
        {
            message = parsed!;
            return true;
        }

        message = null!;
        Send(JsonRpcWriter.Error(errorId, error!), errorId, final: true);
        return false;
    }

    /// <summary>
    /// The answer to a request whose id the client still uses for a request in flight, on every transport: the session
    /// refuses it for its calls, and a transport with a stream per request for any request whose stream is open.
    /// </summary>
    public static string RequestIdInUse(RequestId id) =>
        JsonRpcWriter.Error(id, JsonRpcErrorCodes.InvalidRequest, $"Request id {id} is already in use by a request in flight.");

    internal void SendError(RequestId id, int code, string message) => Reply(id, JsonRpcWriter.Error(id, code, message));

    internal void SendResult(RequestId id, string resultJson) => Reply(id, JsonRpcWriter.ResultRaw(id, resultJson));

    /// <summary>Sends the response to request <paramref name="id"/>, or holds it for its batch until the batch is complete.</summary>
    internal void Reply(RequestId id, string json)
    {
        if (Modern is not null) json = Modern.Finish(id, json);
        _telemetry.Answered(id, json, ProtocolVersion);
        if (!Batches.TryAdd(id, json)) Send(json, id, final: true);
    }

    /// <summary>Sends a message; <paramref name="related"/>: the client's request it belongs to (a transport with a stream per request routes it there).</summary>
    internal void Send(string json, RequestId? related = null, bool final = false)
    {
        if (_host.Send(json, related, final) || _closeRequested) return;
        // The transport is closing (either side) or the client let its queue fill, which the transport answers with a
        // close of its own: either way this session is done.
        _host.LogDebug("the transport takes no more messages (closing, or its outbound queue is full)");
        _closeRequested = true;
        Phase = SessionPhase.Closing;
    }
}
