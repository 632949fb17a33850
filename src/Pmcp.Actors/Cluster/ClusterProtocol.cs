using Akka.Actor;
using Pmcp.Actors.Messages;
using static Pmcp.Actors.Messages.ToolRouterProtocol;

namespace Pmcp.Actors.Cluster;

/// <summary>
/// Messages between the gateways' call dispatchers (<c>/user/pmcp-tools/cluster-dispatch</c>) and the tool routers of
/// <c>tools</c> nodes (<c>/user/pmcp-tools</c>). The worker answers <c>ReplyTo</c> (the ConnectionActor) directly.
/// </summary>
internal static class ClusterProtocol
{
    /// <summary>Run a tool call on this node for a gateway; the sender (the dispatcher) later gets <see cref="CallEnded"/> or <see cref="CallRefused"/>.</summary>
    public sealed record RemoteCallTool(CallTool Call, IActorRef ReplyTo) : IMcpWireMessage;

    /// <summary>Run a resource read, prompt or completion for a gateway; as <see cref="RemoteCallTool"/>.</summary>
    public sealed record RemoteRunRequest(RunRequest Request, IActorRef ReplyTo) : IMcpWireMessage;

    /// <summary>Cancel the token of a call this dispatcher sent here. No answer.</summary>
    public sealed record RemoteCancel(CallKey Key) : IMcpWireMessage;

    /// <summary>The call's worker on this node ended (it answered, or the node stopped it): the dispatcher stops tracking it.</summary>
    public sealed record CallEnded(CallKey Key) : IMcpWireMessage;

    /// <summary>This node is leaving and did not start the call; the dispatcher sends it elsewhere.</summary>
    public sealed record CallRefused(CallKey Key) : IMcpWireMessage;

    /// <summary>A list changed on some node: published on the cluster's broadcast topic.</summary>
    public sealed record ClusterListChanged(string List) : IMcpWireMessage;

    /// <summary>Answered by a gateway's tool router with <see cref="ToolNodes"/>: the tool nodes it sends calls to now, and how many calls it has out.</summary>
    public sealed record GetToolNodes
    {
        public static readonly GetToolNodes Instance = new();
    }

    public sealed record ToolNodes(IReadOnlyList<string> Addresses, int CallsInFlight = 0);

    /// <summary>Sent to a tools node's router when its host stops: refuse new calls, answer <see cref="RemoteCallsDrained"/> when those running are done.</summary>
    public sealed record DrainRemoteCalls(TimeSpan Timeout);

    public sealed record RemoteCallsDrained(int StillRunning);
}
