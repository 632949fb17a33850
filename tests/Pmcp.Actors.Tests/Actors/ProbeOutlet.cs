using System.Net.WebSockets;
using Akka.Actor;
using Pmcp.Actors.Transport;

namespace Pmcp.Actors.Tests.Actors;

/// <summary>An outlet that reports everything the ConnectionActor does to its socket to a probe.</summary>
internal sealed class ProbeOutlet(IActorRef probe) : IConnectionOutlet
{
    public sealed record Sent(string Json);

    public sealed record Closed(WebSocketCloseStatus Status, string Reason);

    public sealed record Paused;

    public sealed record Resumed;

    public bool TrySend(string json)
    {
        probe.Tell(new Sent(json));
        return true;
    }

    public void Close(WebSocketCloseStatus status, string reason) => probe.Tell(new Closed(status, reason));

    public void PauseReading() => probe.Tell(new Paused());

    public void ResumeReading() => probe.Tell(new Resumed());
}
