using System.Net.WebSockets;

namespace Pmcp.Actors.Transport;

/// <summary>
/// The socket as its ConnectionActor sees it: a queue of outbound text messages, a way to close, and a valve on reading.
/// Every member is non-blocking and safe to call from the actor.
/// </summary>
public interface IConnectionOutlet
{
    /// <summary>Queues one JSON text message. False when the socket is closing or closed, or the queue is full (the socket is then closed with 1008).</summary>
    bool TrySend(string json);

    /// <summary>Sends what is queued, then a close frame with this status. Only the first call counts.</summary>
    void Close(WebSocketCloseStatus status, string reason);

    /// <summary>Stops reading inbound messages until <see cref="ResumeReading"/> (backpressure: nothing is dropped).</summary>
    void PauseReading();

    void ResumeReading();
}
