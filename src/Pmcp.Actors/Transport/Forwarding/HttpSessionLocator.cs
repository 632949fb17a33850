using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Akka.Actor;
using Akka.Cluster;
using Pmcp.Actors.Cluster;
using Pmcp.Actors.Transport;

namespace Pmcp.Actors.Transport.Forwarding;

/// <summary>
/// Where a Streamable HTTP session lives. Standalone, a session id is 128 random bits and every session is this node's.
/// On a gateway in a cluster the id also names the gateway that holds the session: eight hex digits of a hash of that
/// node's unique address (its host, port and the uid of this run), a dash, then the 128 random bits. Any gateway can so
/// tell from the id alone, with no shared store, which member to forward a request to; a node that is gone (or that
/// restarted: a new uid) is no member, and its sessions get 404, after which the client starts a new one.
/// </summary>
internal sealed class HttpSessionLocator
{
    /// <summary>Where each gateway's <see cref="HttpSessionOwnerActor"/> runs.</summary>
    public const string OwnerActorName = "pmcp-http-sessions";

    private const int TagLength = 8;

    private readonly object _lock = new();
    private readonly ConcurrentDictionary<UniqueAddress, string> _tags = new();
    private StreamableHttpSessions[] _local = [];
    private volatile Joined? _joined;

    /// <summary>The gateway's cluster and the tag of its sessions, once its ActorSystem has joined as a gateway.</summary>
    private sealed record Joined(ActorSystem System, Akka.Cluster.Cluster Cluster, string Tag);

    /// <summary>True once this node serves sessions as a gateway of a cluster: ids carry its tag and foreign ids are forwarded.</summary>
    public bool Clustered => _joined is not null;

    /// <summary>The sessions of an endpoint of this server (one per <c>MapMcp</c>), for requests forwarded from other gateways.</summary>
    public void Attach(StreamableHttpSessions sessions)
    {
        lock (_lock) _local = [.. _local, sessions];
    }

    /// <summary>Called when the ActorSystem starts the MCP actors of a gateway in a cluster: starts the owner actor that serves forwarded requests.</summary>
    public IActorRef Join(ActorSystem system)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        var owner = system.ActorOf(HttpSessionOwnerActor.Props(this), OwnerActorName);
        _joined = new Joined(system, cluster, TagOf(cluster.SelfUniqueAddress));
        return owner;
    }

    /// <summary>A new session id: this node's tag and 128 random bits in a cluster, the random bits alone otherwise.</summary>
    public string NewSessionId() => _joined is { } joined ? joined.Tag + "-" + StreamableHttpSessions.NewId() : StreamableHttpSessions.NewId();

    /// <summary>A session of this node, whichever of its endpoints holds it; null when there is none (or it ended).</summary>
    public StreamableHttpSession? FindLocal(string id)
    {
        foreach (var sessions in Volatile.Read(ref _local))
        {
            if (sessions.Find(id) is { } session) return session;
        }
        return null;
    }

    /// <summary>
    /// The owner actor of the other gateway that <paramref name="sessionId"/> names, when that gateway is a member of the
    /// cluster now; false for an id of this node, of no member, or of no cluster (the caller answers 404).
    /// </summary>
    public bool TryFindOwner(string sessionId, out ActorPath owner, out ActorSystem system)
    {
        owner = null!;
        system = null!;
        if (_joined is not { } joined || sessionId.Length <= TagLength || sessionId[TagLength] != '-') return false;
        var tag = sessionId.AsSpan(0, TagLength);
        if (tag.SequenceEqual(joined.Tag)) return false;
        foreach (var member in joined.Cluster.State.Members)
        {
            if (member.Status is not (MemberStatus.Up or MemberStatus.WeaklyUp or MemberStatus.Leaving)) continue;
            if (!member.HasRole(McpClusterOptions.GatewayRole) || !tag.SequenceEqual(_tags.GetOrAdd(member.UniqueAddress, TagOf))) continue;
            owner = new RootActorPath(member.Address) / "user" / OwnerActorName;
            system = joined.System;
            return true;
        }
        return false;
    }

    private static string TagOf(UniqueAddress node)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(node.Address + "#" + node.Uid.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return Convert.ToHexStringLower(hash, 0, TagLength / 2);
    }
}
