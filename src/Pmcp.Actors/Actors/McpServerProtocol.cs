using Akka.Actor;
using Pmcp.Actors.Transport;

namespace Pmcp.Actors.Actors;

/// <summary>Messages of the server actor (<c>/user/pmcp</c>).</summary>
public static class McpServerProtocol
{
    /// <summary>From the endpoint: a socket was accepted; answered with <see cref="ConnectionOpened"/>.</summary>
    public sealed record OpenConnection(IConnectionOutlet Outlet, string RemoteAddress);

    public sealed record ConnectionOpened(IActorRef Connection);

    /// <summary>Stop taking new work, let calls in flight finish, close every socket with 1001; answered with <see cref="Drained"/>.</summary>
    public sealed record Drain(TimeSpan Timeout);

    public sealed record Drained(int ConnectionsLeft);

    /// <summary>Answered with <see cref="Stats"/>.</summary>
    public sealed record GetStats
    {
        public static readonly GetStats Instance = new();
    }

    public sealed record Stats(int Connections, long ConnectionsOpened);
}

/// <summary>Messages a ConnectionActor takes from its socket and its parent.</summary>
public static class ConnectionProtocol
{
    /// <summary>One complete inbound text message (fragments already joined).</summary>
    public sealed record Inbound(string Text);

    /// <summary>The read side ended: the peer closed, the socket failed, or the server's own close completed.</summary>
    public sealed record SocketClosed(string Reason);

    /// <summary>Shutdown began: refuse new calls, close with 1001 when the last call in flight is answered.</summary>
    public sealed record Drain
    {
        public static readonly Drain Instance = new();
    }

    /// <summary>The drain timeout passed: close with 1001 now, cancelling what still runs.</summary>
    public sealed record DrainDeadline
    {
        public static readonly DrainDeadline Instance = new();
    }
}
