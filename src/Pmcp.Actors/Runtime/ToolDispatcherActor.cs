using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Pmcp.Actors.Cluster;
using Pmcp.Actors.Messages;
using Pmcp.Protocol;
using static Pmcp.Actors.Messages.ToolRouterProtocol;
using static Pmcp.Actors.Cluster.ClusterProtocol;

namespace Pmcp.Actors.Runtime;

/// <summary>
/// A gateway's way to the cluster's tool nodes (<c>/user/pmcp-tools/cluster-dispatch</c>): it follows the members with
/// the <c>tools</c> role, sends each call to the reachable one with the fewest of this gateway's calls in flight, and
/// keeps every call it sent until that node says the call's worker ended. The worker answers the ConnectionActor itself.
/// When a node becomes unreachable or is removed, its calls are answered here with an <c>isError</c> result (a
/// JSON-RPC -32603 error for resource reads, prompts and completions), or sent again to another node when the tool is
/// declared idempotent; a late answer from the lost node is then dropped by the connection, which answers an id once.
/// </summary>
internal sealed class ToolDispatcherActor : UntypedActor, IWithTimers
{
    private const string IdentifyTimer = "identify";
    private static readonly TimeSpan IdentifyInterval = TimeSpan.FromSeconds(1);

    private readonly int _maxAttempts;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<Address, ToolNode> _nodes = [];
    private readonly Dictionary<CallKey, Pending> _calls = [];
    private readonly Address _self = Akka.Cluster.Cluster.Get(Context.System).SelfAddress;
    private long _turn;

    public ToolDispatcherActor(int maxAttempts)
    {
        _maxAttempts = maxAttempts;
    }

    /// <param name="maxAttempts">How many nodes an idempotent tool call may be tried on in all.</param>
    public static Props Props(int maxAttempts) => Akka.Actor.Props.Create(() => new ToolDispatcherActor(maxAttempts));

    /// <summary>
    /// From the gateway's tool router: send a <see cref="CallTool"/> or <see cref="RunRequest"/> (checked there: the tool
    /// exists and the caller may call it) to a tool node. The sender is the ConnectionActor the answer goes to.
    /// Node-local: it is never serialized.
    /// </summary>
    public sealed record Dispatch(object Call, bool Idempotent);

    public ITimerScheduler Timers { get; set; } = null!;

    private sealed class ToolNode(Address address)
    {
        public Address Address { get; } = address;
        public IActorRef? Router { get; set; }
        public bool Reachable { get; set; } = true;
        public bool Leaving { get; set; }
        public int InFlight { get; set; }
        public bool Usable => Router is not null && Reachable && !Leaving;
    }

    private sealed class Pending(object message, IActorRef replyTo, string name, bool idempotent)
    {
        public object Message { get; } = message;
        public bool Idempotent { get; } = idempotent;
        public IActorRef ReplyTo { get; } = replyTo;
        public string Name { get; } = name;
        public Address? Node { get; set; }
        public int Attempts { get; set; }
    }

    private sealed record IdentifyRouters : INotInfluenceReceiveTimeout
    {
        public static readonly IdentifyRouters Instance = new();
    }

    protected override void PreStart() =>
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));

    protected override void PostStop()
    {
        Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
        foreach (var (key, call) in _calls) Fail(key, call, $"The {call.Name} did not run to completion: the gateway's dispatcher stopped.");
        _calls.Clear();
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Dispatch { Call: CallTool call } dispatch:
                Start(call.Key, new Pending(call, Sender, $"tool '{call.ToolName}'", dispatch.Idempotent));
                return;

            case Dispatch { Call: RunRequest request }:
                Start(request.Key, new Pending(request, Sender, $"{request.Method} request", idempotent: false));
                return;

            case CancelCall cancel:
                if (_calls.Remove(cancel.Key, out var cancelled) && cancelled.Node is { } at && _nodes.TryGetValue(at, out var owner))
                {
                    owner.InFlight--;
                    owner.Router?.Tell(new RemoteCancel(cancel.Key));
                }
                return;

            case CallEnded ended:
                if (_calls.TryGetValue(ended.Key, out var done) && done.Node == NodeOf(Sender))
                {
                    _calls.Remove(ended.Key);
                    if (_nodes.TryGetValue(NodeOf(Sender), out var node)) node.InFlight--;
                }
                return;

            case CallRefused refused:
                // The node is leaving and never started the call: it runs elsewhere, whatever the tool.
                if (_nodes.TryGetValue(NodeOf(Sender), out var leaving)) leaving.Leaving = true;
                if (_calls.TryGetValue(refused.Key, out var again) && again.Node == NodeOf(Sender))
                {
                    if (leaving is not null) leaving.InFlight--;
                    again.Attempts--;
                    Send(refused.Key, again);
                }
                return;

            case GetToolNodes:
                Sender.Tell(new ToolNodes([.. _nodes.Values.Where(n => n.Usable).Select(n => n.Address.ToString()).Order(StringComparer.Ordinal)], _calls.Count));
                return;

            case ClusterEvent.MemberUp up:
                if (up.Member.HasRole(McpClusterOptions.ToolsRole) && !_nodes.ContainsKey(up.Member.Address))
                {
                    _nodes[up.Member.Address] = new ToolNode(up.Member.Address);
                    Identify(up.Member.Address);
                    if (!Timers.IsTimerActive(IdentifyTimer)) Timers.StartPeriodicTimer(IdentifyTimer, IdentifyRouters.Instance, IdentifyInterval);
                }
                return;

            case IdentifyRouters:
                var unknown = _nodes.Values.Where(n => n.Router is null).ToList();
                foreach (var node in unknown) Identify(node.Address);
                if (unknown.Count == 0) Timers.Cancel(IdentifyTimer);
                return;

            case ActorIdentity { MessageId: string address, Subject: { } router }:
                if (_nodes.TryGetValue(Address.Parse(address), out var found) && found.Router is null)
                {
                    found.Router = router;
                    Context.Watch(router);
                    _log.Info("Tool node {0} is ready", address);
                }
                return;

            case ActorIdentity:
                return; // not started there yet: asked again on the next tick

            case ClusterEvent.MemberLeft or ClusterEvent.MemberExited:
                if (_nodes.TryGetValue(((ClusterEvent.MemberStatusChange)message).Member.Address, out var exiting)) exiting.Leaving = true;
                return;

            case ClusterEvent.UnreachableMember unreachable:
                if (_nodes.TryGetValue(unreachable.Member.Address, out var lost))
                {
                    lost.Reachable = false;
                    NodeLost(lost, "became unreachable");
                }
                return;

            case ClusterEvent.ReachableMember reachable:
                if (_nodes.TryGetValue(reachable.Member.Address, out var back)) back.Reachable = true;
                return;

            case ClusterEvent.MemberDowned downed:
                // Downed (by the split brain resolver, or by hand) is final: its calls are not waited for.
                if (_nodes.Remove(downed.Member.Address, out var down)) NodeLost(down, "was downed");
                return;

            case ClusterEvent.MemberRemoved removed:
                if (_nodes.Remove(removed.Member.Address, out var gone)) NodeLost(gone, "left the cluster");
                return;

            case Terminated terminated:
                if (_nodes.Remove(NodeOf(terminated.ActorRef), out var stopped)) NodeLost(stopped, "stopped");
                return;

            case ClusterEvent.IMemberEvent or ClusterEvent.IReachabilityEvent:
                return;

            default:
                Unhandled(message);
                return;
        }
    }

    /// <summary>The cluster address of the node an actor lives on: the router of this very node (role both) has a local path.</summary>
    private Address NodeOf(IActorRef actor) => actor.Path.Address.HasLocalScope ? _self : actor.Path.Address;

    // The message id is the address as a string: Akka serializes it with the message, and an Address has no serializer.
    private static void Identify(Address address) =>
        Context.ActorSelection(new RootActorPath(address) / "user" / "pmcp-tools").Tell(new Identify(address.ToString()));

    private void Start(CallKey key, Pending call)
    {
        _calls[key] = call;
        Send(key, call);
    }

    private void Send(CallKey key, Pending call)
    {
        var node = Pick();
        if (node is null)
        {
            _calls.Remove(key);
            Fail(key, call, $"The {call.Name} could not run: no tool node is available.");
            return;
        }
        call.Node = node.Address;
        call.Attempts++;
        node.InFlight++;
        node.Router!.Tell(call.Message switch
        {
            CallTool tool => new RemoteCallTool(tool, call.ReplyTo),
            RunRequest request => (object)new RemoteRunRequest(request, call.ReplyTo),
            _ => throw new InvalidOperationException(call.Message.GetType().Name),
        });
    }

    /// <summary>The usable node with the fewest of this gateway's calls in flight; ties go round.</summary>
    private ToolNode? Pick()
    {
        ToolNode? best = null;
        var usable = _nodes.Values.Where(n => n.Usable).ToList();
        if (usable.Count == 0) return null;
        var start = (int)(_turn++ % usable.Count);
        for (var i = 0; i < usable.Count; i++)
        {
            var node = usable[(start + i) % usable.Count];
            if (best is null || node.InFlight < best.InFlight) best = node;
        }
        return best;
    }

    private void NodeLost(ToolNode node, string why)
    {
        var lost = _calls.Where(c => c.Value.Node == node.Address).ToList();
        node.InFlight = 0;
        if (lost.Count == 0) return;
        _log.Warning("Tool node {0} {1} with {2} calls in flight", node.Address, why, lost.Count);
        foreach (var (key, call) in lost)
        {
            if (call.Message is CallTool && call.Idempotent && call.Attempts < _maxAttempts && Pick() is not null)
            {
                // Not cancelled there: a cancelled worker answers with an isError result, which could beat the new run.
                Send(key, call);
                continue;
            }
            // Best effort: should the node still run, the call's token is cancelled there; its late answer is dropped.
            node.Router?.Tell(new RemoteCancel(key));
            _calls.Remove(key);
            Fail(key, call, $"The {call.Name} did not run to completion: its tool node {node.Address} {why} before it answered.");
        }
    }

    /// <summary>A tool call gets an <c>isError</c> result, as for any other tool failure; other requests a -32603 error.</summary>
    private static void Fail(CallKey key, Pending call, string text)
    {
        call.ReplyTo.Tell(call.Message switch
        {
            CallTool tool => CallAnswers.IsError(key.CallId, tool.RequestId, text),
            RunRequest request => CallOutcomes.InternalError(key.CallId, request.RequestId, text),
            _ => throw new InvalidOperationException(call.Message.GetType().Name),
        });
    }
}
