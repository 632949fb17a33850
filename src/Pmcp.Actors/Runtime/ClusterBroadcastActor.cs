using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Pmcp.Actors.Cluster;
using Pmcp.Actors.Messages;
using static Pmcp.Actors.Runtime.McpServerProtocol;
using static Pmcp.Actors.Messages.ToolRouterProtocol;

namespace Pmcp.Actors.Runtime;

/// <summary>
/// Carries broadcasts to the sessions of every gateway (<c>/user/pmcp-broadcast</c>, one per node of a cluster): list
/// changes published on this node's EventStream, resource updates and log messages go out on the DistributedPubSub topic
/// <see cref="Topic"/>, and whatever comes in on it is handed to this node's server actor, which tells its sessions.
/// </summary>
internal sealed class ClusterBroadcastActor(IActorRef server) : UntypedActor
{
    public const string Topic = "pmcp-broadcast";

    private readonly IActorRef _mediator = DistributedPubSub.Get(Context.System).Mediator;

    public static Props Props(IActorRef server) => Akka.Actor.Props.Create(() => new ClusterBroadcastActor(server));

    /// <summary>From this node (the runtime's broadcast methods): publish to the sessions of every node. Node-local.</summary>
    public sealed record PublishToCluster(IMcpWireMessage Message);

    protected override void PreStart()
    {
        _mediator.Tell(new Subscribe(Topic, Self));
        Context.System.EventStream.Subscribe(Self, typeof(ListChangedEvent));
    }

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case ListChangedEvent changed:
                _mediator.Tell(new Publish(Topic, new ClusterProtocol.ClusterListChanged(changed.List)));
                return;
            case PublishToCluster publish:
                _mediator.Tell(new Publish(Topic, publish.Message));
                return;
            case ClusterProtocol.ClusterListChanged changed:
                server.Tell(new ListChangedEvent(changed.List));
                return;
            case BroadcastResourceUpdated or BroadcastLog:
                server.Tell(message);
                return;
            case SubscribeAck:
                return;
            default:
                Unhandled(message);
                return;
        }
    }
}
