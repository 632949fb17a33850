using System.Net.WebSockets;
using Akka.Actor;
using Pmcp.Actors.Session;
using Pmcp.Actors.Transport;

namespace Pmcp.Actors.Tests.Runtime;

/// <summary>An outlet that reports everything the ConnectionActor does to its socket to a probe.</summary>
internal sealed class ProbeOutlet(IActorRef probe) : IConnectionOutlet
{
    public sealed record Sent(string Json);

    public sealed record Closed(WebSocketCloseStatus Status, string Reason);

    public sealed record Paused;

    public sealed record Resumed;

    /// <summary>Whether its host may let go of it before it ends (as a 2026 request's POST does), once.</summary>
    public bool Releasable { get; init; }

    private int _released;

    public bool ReleaseHost() => Releasable && Interlocked.Exchange(ref _released, 1) == 0;

    public bool Send(string json, Pmcp.Protocol.RequestId? related = null, bool final = false)
    {
        probe.Tell(new Sent(json));
        return true;
    }

    /// <summary>Reported as the WebSocket would say it, which is what the specs check.</summary>
    public void Close(CloseReason reason) => probe.Tell(new Closed(reason.Kind.ToWebSocketStatus(), reason.Text));

    public void PauseReading() => probe.Tell(new Paused());

    public void ResumeReading() => probe.Tell(new Resumed());
}
