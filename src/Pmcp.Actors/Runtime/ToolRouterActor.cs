using System.Globalization;
using System.Text;
using Akka.Actor;
using Microsoft.Extensions.Logging;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Calls;
using Pmcp.Actors.Cluster;
using Pmcp.Actors.Diagnostics;
using Pmcp.Actors.Messages;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using static Pmcp.Actors.Messages.ToolRouterProtocol;
using static Pmcp.Actors.Cluster.ClusterProtocol;

namespace Pmcp.Actors.Runtime;

/// <summary>
/// The registry (<c>/user/pmcp-tools</c>) of everything a server offers: tools, resources, resource templates and
/// prompts. It answers the list requests from pages serialized once per change, and runs the user code that reaches it
/// (a resource read, a prompt, a completion, and tool calls its sessions did not run themselves through
/// <see cref="InProcessCallRunner"/>) on a worker child of its own. Every change of its tools goes out as a new
/// <see cref="ToolCatalog"/> with the change's <see cref="ListChangedEvent"/>: nothing of its state is shared. A worker is stopped when it fails: a call is not re-run,
/// since tools need not be idempotent.
/// <para>
/// In a cluster, a gateway's router sends the calls it gets (after checking the tool exists and the caller may call it)
/// to its <see cref="ToolDispatcherActor"/> child, which picks a <c>tools</c> node; the router at the same path on that
/// node runs them (<see cref="ClusterProtocol.RemoteCallTool"/>) on workers that answer the ConnectionActor directly,
/// and tells the dispatcher when each worker ends. Lists are always answered from the node's own definitions.
/// Sessions of a clustered node run nothing in process, so every call comes here to be spread.
/// </para>
/// </summary>
internal sealed class ToolRouterActor : UntypedActor, IWithTimers
{
    private readonly List<McpToolDefinition> _tools;
    private readonly List<McpResourceDefinition> _resources;
    private readonly List<McpResourceTemplateDefinition> _templates;
    private readonly List<McpPromptDefinition> _prompts;
    private readonly McpServerOptions _options;
    private readonly ILoggerFactory _loggers;
    private readonly Dictionary<string, ILogger> _requestLoggers = new(StringComparer.Ordinal);
    private ToolCatalog _catalog;
    // Calls that sessions run in process and that outlived their turn (see InProcessCallRunner).
    private int _sessionCalls;
    private readonly Dictionary<string, string[]> _pages = new(StringComparer.Ordinal);
    private readonly McpClusterOptions? _cluster;
    // Calls run here for gateways: by the dispatcher that sent them and the call's key, and the other way round.
    private readonly Dictionary<(IActorRef Origin, CallKey Key), IActorRef> _remoteWorkers = [];
    private readonly Dictionary<IActorRef, (IActorRef Origin, CallKey Key)> _remoteCalls = [];
    // The gateways' dispatchers that have sent calls here, watched: one that terminates has its calls cancelled.
    private readonly HashSet<IActorRef> _origins = [];
    private IActorRef? _dispatcher;
    private long _remoteCount;
    private bool _drainingRemote;
    private IActorRef? _drainWaiter;

    public ToolRouterActor(McpServerDefinition definition, McpServerOptions options, ILoggerFactory loggerFactory, McpClusterOptions? cluster = null, ToolCatalog? catalog = null)
    {
        _cluster = cluster is { Enabled: true } ? cluster : null;
        _options = options;
        _loggers = loggerFactory;
        _tools = [.. definition.Tools];
        _catalog = catalog ?? ToolCatalog.Create(_tools, loggerFactory);
        _resources = [.. definition.Resources];
        _templates = [.. definition.ResourceTemplates];
        _prompts = [.. definition.Prompts];
        foreach (var method in ListMethods) Paginate(method);
    }

    /// <param name="catalog">The catalog of <paramref name="definition"/>'s tools that the sessions start with (<see cref="McpServerActor.Props"/>), so that both hold the same loggers; null: built here.</param>
    public static Props Props(McpServerDefinition definition, McpServerOptions options, ILoggerFactory loggerFactory, McpClusterOptions? cluster = null, ToolCatalog? catalog = null) =>
        Akka.Actor.Props.Create(() => new ToolRouterActor(definition, options, loggerFactory, cluster, catalog));

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        if (_cluster is { IsGateway: true })
            _dispatcher = Context.ActorOf(ToolDispatcherActor.Props(_cluster.MaxAttemptsForIdempotentTools), "cluster-dispatch");
    }

    private static readonly string[] ListMethods = [McpMethods.ToolsList, McpMethods.ResourcesList, McpMethods.ResourcesTemplatesList, McpMethods.PromptsList];

    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case CallTool call:
                var tool = _catalog.Find(call.ToolName);
                if (CallRules.Refusal(tool?.Definition, call.ToolName, call.Key.CallId, call.RequestId, call.Caller) is { } refused)
                {
                    Sender.Tell(refused);
                    return;
                }
                if (_dispatcher is not null)
                {
                    _dispatcher.Tell(new ToolDispatcherActor.Dispatch(call, tool!.Definition.Idempotent), Sender);
                    return;
                }
                StartToolWorker(tool!, call, Sender, call.Key.WorkerName);
                return;

            case RunRequest request:
                if (_dispatcher is not null) _dispatcher.Tell(new ToolDispatcherActor.Dispatch(request, false), Sender);
                else Run(request, Sender, request.Key.WorkerName);
                return;

            case GetWorkerCount:
                // A gateway's dispatcher runs no user code; calls running on connections do.
                Sender.Tell(new WorkerCount(Context.GetChildren().Count(child => !child.Equals(_dispatcher)) + _sessionCalls));
                return;

            case SessionCallStarted:
                _sessionCalls++;
                return;

            case SessionCallEnded:
                _sessionCalls--;
                return;

            case CancelCall cancel when _dispatcher is not null:
                _dispatcher.Forward(cancel);
                return;

            case CancelCall cancel:
                var worker = Context.Child(cancel.Key.WorkerName);
                if (!worker.IsNobody()) worker.Tell(CallWorkerActor.Cancel.Instance);
                return;

            case ListItems list:
                if (!_pages.TryGetValue(list.Method, out var pages))
                    Sender.Tell(new ListFailed(list.RequestId, JsonRpcErrorCodes.MethodNotFound, $"Method not found: {list.Method}"));
                else if (TryPageIndex(list.Cursor, pages.Length, out var page))
                    Sender.Tell(new ToolsListed(list.RequestId, pages[page]));
                else
                    Sender.Tell(new ListFailed(list.RequestId, JsonRpcErrorCodes.InvalidParams, "Invalid cursor."));
                return;

            case AddTool add:
                try
                {
                    add.Tool.Validate();
                }
                catch (ArgumentException ex)
                {
                    Sender.Tell(new Status.Failure(ex));
                    return;
                }
                // Calls in flight keep the definition they started with.
                Upsert(_tools, add.Tool, t => t.Name == add.Tool.Name);
                ToolsChanged();
                return;

            case RemoveTool remove:
                if (_tools.RemoveAll(t => t.Name == remove.Name) > 0) ToolsChanged();
                else Sender.Tell(new ToolsUpdated(false));
                return;

            case AddFeature { Definition: McpResourceDefinition resource }:
                Upsert(_resources, resource, r => r.Uri == resource.Uri);
                Changed(McpMethods.ResourcesList, "resources");
                return;

            case AddFeature { Definition: McpResourceTemplateDefinition template }:
                Upsert(_templates, template, t => t.UriTemplate == template.UriTemplate);
                Changed(McpMethods.ResourcesTemplatesList, "resources");
                return;

            case AddFeature { Definition: McpPromptDefinition prompt }:
                Upsert(_prompts, prompt, p => p.Name == prompt.Name);
                Changed(McpMethods.PromptsList, "prompts");
                return;

            case RemoveFeature remove:
                var (removed, listMethod, listName) = remove.List switch
                {
                    "resources" => (_resources.RemoveAll(r => r.Uri == remove.Key) > 0, McpMethods.ResourcesList, "resources"),
                    "resourceTemplates" => (_templates.RemoveAll(t => t.UriTemplate == remove.Key) > 0, McpMethods.ResourcesTemplatesList, "resources"),
                    "prompts" => (_prompts.RemoveAll(p => p.Name == remove.Key) > 0, McpMethods.PromptsList, "prompts"),
                    _ => (false, "", ""),
                };
                if (removed) Changed(listMethod, listName);
                else Sender.Tell(new ToolsUpdated(false));
                return;

            default:
                if (!ClusterMessages(message)) Unhandled(message);
                return;
        }
    }

    /// <summary>Calls from gateways, their ends, and the drain of a leaving tools node; false when the message is none of them.</summary>
    private bool ClusterMessages(object message)
    {
        switch (message)
        {
            case RemoteCallTool remote when _drainingRemote:
                Sender.Tell(new CallRefused(remote.Call.Key));
                return true;

            case RemoteRunRequest remote when _drainingRemote:
                Sender.Tell(new CallRefused(remote.Request.Key));
                return true;

            case RemoteCallTool remote:
                var call = remote.Call;
                var tool = _catalog.Find(call.ToolName);
                // The gateway checked the same rules; a tool it knew and this node does not means nodes built with different tools.
                if (CallRules.Refusal(tool?.Definition, call.ToolName, call.Key.CallId, call.RequestId, call.Caller) is { } refused)
                {
                    remote.ReplyTo.Tell(refused);
                    Sender.Tell(new CallEnded(call.Key));
                    return true;
                }
                Track(StartToolWorker(tool!, call, remote.ReplyTo, RemoteWorkerName(), forGateway: true), call.Key);
                return true;

            case RemoteRunRequest remote:
                if (Run(remote.Request, remote.ReplyTo, RemoteWorkerName(), forGateway: true) is { } runner) Track(runner, remote.Request.Key);
                else Sender.Tell(new CallEnded(remote.Request.Key));
                return true;

            case RemoteCancel cancel:
                if (_remoteWorkers.TryGetValue((Sender, cancel.Key), out var remoteWorker)) remoteWorker.Tell(CallWorkerActor.Cancel.Instance);
                return true;

            case Terminated terminated:
                if (_remoteCalls.Remove(terminated.ActorRef, out var ended))
                {
                    _remoteWorkers.Remove(ended);
                    if (_origins.Contains(ended.Origin)) ended.Origin.Tell(new CallEnded(ended.Key));
                    if (_remoteCalls.Count == 0 && _drainingRemote) FinishRemoteDrain();
                }
                else if (_origins.Remove(terminated.ActorRef))
                {
                    // A gateway that is gone (its node left, or one of the two was downed) has answered or retried its
                    // calls here itself, or has nobody left to answer: they are stopped rather than left to run until their
                    // timeout, and stay silent. Each worker's end is then counted as usual.
                    foreach (var ((origin, _), worker) in _remoteWorkers)
                    {
                        if (origin.Equals(terminated.ActorRef)) worker.Tell(CallWorkerActor.Abandon.Instance);
                    }
                }
                return true;

            case DrainRemoteCalls drain:
                _drainingRemote = true;
                _drainWaiter = Sender;
                if (_remoteCalls.Count == 0) FinishRemoteDrain();
                else Timers.StartSingleTimer(nameof(RemoteDrainTimedOut), RemoteDrainTimedOut.Instance, drain.Timeout);
                return true;

            case RemoteDrainTimedOut:
                FinishRemoteDrain();
                return true;

            case GetToolNodes:
                if (_dispatcher is not null) _dispatcher.Forward(message);
                else Sender.Tell(new ToolNodes([]));
                return true;

            default:
                return false;
        }
    }

    private sealed record RemoteDrainTimedOut
    {
        public static readonly RemoteDrainTimedOut Instance = new();
    }

    private string RemoteWorkerName() => "remote-" + (++_remoteCount).ToString(CultureInfo.InvariantCulture);

    private void Track(IActorRef worker, CallKey key)
    {
        Context.Watch(worker);
        if (_origins.Add(Sender)) Context.Watch(Sender);
        _remoteWorkers[(Sender, key)] = worker;
        _remoteCalls[worker] = (Sender, key);
    }

    private void FinishRemoteDrain()
    {
        _drainWaiter?.Tell(new RemoteCallsDrained(_remoteCalls.Count));
        _drainWaiter = null;
    }

    /// <param name="forGateway">A call sent here by a gateway: if this node shuts down before the call ends, the gateway answers it (or retries it), not the worker.</param>
    private IActorRef StartToolWorker(CatalogTool tool, CallTool call, IActorRef replyTo, string workerName, bool forGateway = false)
    {
        var execution = CallExecution.ForTool(tool.Definition, tool.Outcomes, call.Key.CallId, call.RequestId, ToolArguments.Parse(call.ArgumentsJson), replyTo,
            CallRules.Timeout(tool.Definition, _options), call.WantsProgress, call.Caller);
        var span = McpActivities.StartRemoteCall(McpMethods.ToolsCall, tool.Definition.Name, call.Trace?.TraceParent, call.Trace?.TraceState);
        return Context.ActorOf(CallWorkerActor.Props(execution, replyTo, $"tool '{tool.Definition.Name}'", forGateway, span), workerName);
    }

    private IActorRef? Run(RunRequest request, IActorRef replyTo, string workerName, bool forGateway = false)
    {
        var parameters = request.ParamsJson is null ? [] : (JObject)McpJson.Parse(request.ParamsJson);
        var (name, run, error) = new FeatureRequests(_resources, _templates, _prompts).Resolve(request.Method, parameters);
        if (error is not null)
        {
            replyTo.Tell(CallAnswers.Error(request.Key.CallId, request.RequestId, error.Code, error.Message));
            return null;
        }
        var execution = new CallExecution(request.Key.CallId, request.RequestId, new RequestOutcomes(name!), run!, replyTo,
            RequestLogger(request.Method), CallRules.Timeout(null, _options), wantsProgress: false, request.Caller);
        var span = McpActivities.StartRemoteCall(request.Method, name, request.Trace?.TraceParent, request.Trace?.TraceState);
        return Context.ActorOf(CallWorkerActor.Props(execution, replyTo, name!, forGateway, span), workerName);
    }

    // A replaced definition keeps its place in the list, so pages stay stable for clients walking them.
    private static void Upsert<T>(List<T> items, T item, Predicate<T> same)
    {
        var index = items.FindIndex(same);
        if (index >= 0) items[index] = item;
        else items.Add(item);
    }

    private void Changed(string listMethod, string list, ToolCatalog? tools = null)
    {
        Paginate(listMethod);
        Context.System.EventStream.Publish(new ListChangedEvent(list, tools));
        Sender.Tell(new ToolsUpdated(true));
    }

    private void ToolsChanged()
    {
        _catalog = ToolCatalog.Create(_tools, _loggers, _catalog);
        Changed(McpMethods.ToolsList, "tools", _catalog);
    }

    /// <summary>The log category of a kind of request: <c>Pmcp.Tools.&lt;method&gt;</c>.</summary>
    private ILogger RequestLogger(string method)
    {
        if (!_requestLoggers.TryGetValue(method, out var logger)) _requestLoggers[method] = logger = _loggers.CreateLogger("Pmcp.Tools." + method);
        return logger;
    }

    // Pages are serialized once per change of a list, not once per request.
    private void Paginate(string method)
    {
        _pages[method] = method switch
        {
            McpMethods.ToolsList => Pages(_tools, t => t.ToProtocol(), (items, next) => new ListToolsResult(items) { NextCursor = next }),
            McpMethods.ResourcesList => Pages(_resources, r => r.ToProtocol(), (items, next) => new ListResourcesResult(items) { NextCursor = next }),
            McpMethods.ResourcesTemplatesList => Pages(_templates, t => t.ToProtocol(), (items, next) => new ListResourceTemplatesResult(items) { NextCursor = next }),
            McpMethods.PromptsList => Pages(_prompts, p => p.ToProtocol(), (items, next) => new ListPromptsResult(items) { NextCursor = next }),
            _ => throw new ArgumentOutOfRangeException(nameof(method), method, null),
        };
    }

    private string[] Pages<TDefinition, TItem>(List<TDefinition> definitions, Func<TDefinition, TItem> toProtocol, Func<TItem[], string?, object> page)
    {
        var pageSize = _options.ToolsPageSize;
        var count = Math.Max(1, (definitions.Count + pageSize - 1) / pageSize);
        var pages = new string[count];
        for (var i = 0; i < count; i++)
        {
            var slice = definitions.Skip(i * pageSize).Take(pageSize).Select(toProtocol).ToArray();
            var next = i + 1 < count ? Convert.ToBase64String(Encoding.UTF8.GetBytes("page:" + (i + 1).ToString(CultureInfo.InvariantCulture))) : null;
            pages[i] = McpJson.Serialize(page(slice, next));
        }
        return pages;
    }

    private static bool TryPageIndex(string? cursor, int pageCount, out int page)
    {
        page = 0;
        if (cursor is null) return true;
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(cursor));
            return text.StartsWith("page:", StringComparison.Ordinal)
                && int.TryParse(text.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out page)
                && page > 0 && page < pageCount;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
