using Akka.Actor;
using Pmcp.Actors.Messages;
using Pmcp.Actors.Security;
using Pmcp.Actors.Session;
using Pmcp.Protocol;

namespace Pmcp.Actors.Runtime;

/// <summary>Messages of the server actor (<c>/user/pmcp</c>).</summary>
internal static class McpServerProtocol
{
    /// <summary>From the endpoint: a socket was accepted; answered with <see cref="ConnectionOpened"/>.</summary>
    /// <remarks><paramref name="Caller"/>: who authenticated at the upgrade; null when nobody did.</remarks>
    public sealed record OpenConnection(IConnectionOutlet Outlet, string RemoteAddress, CallerIdentity? Caller = null);

    public sealed record ConnectionOpened(IActorRef Connection);

    /// <summary>From the endpoint: a host for 2026-07-28 requests (<see cref="ModernRequestActor"/>), when none waits in the pool; answered with <see cref="ConnectionOpened"/>.</summary>
    public sealed record OpenRequestHost
    {
        public static readonly OpenRequestHost Instance = new();
    }

    /// <summary>Stop taking new work, let calls in flight finish, close every socket with 1001; answered with <see cref="Drained"/>.</summary>
    public sealed record Drain(TimeSpan Timeout);

    public sealed record Drained(int ConnectionsLeft);

    /// <summary>Answered with <see cref="Stats"/>.</summary>
    public sealed record GetStats
    {
        public static readonly GetStats Instance = new();
    }

    public sealed record Stats(int Connections, long ConnectionsOpened);

    /// <summary>Tell every session subscribed to <paramref name="Uri"/> that the resource changed.</summary>
    public sealed record BroadcastResourceUpdated(string Uri) : IMcpWireMessage;

    /// <summary>Send <c>notifications/message</c> to every session whose level admits <paramref name="Level"/>.</summary>
    public sealed record BroadcastLog(string Level, string? Logger, string DataJson) : IMcpWireMessage;
}
