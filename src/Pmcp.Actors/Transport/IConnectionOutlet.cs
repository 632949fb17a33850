using System.Net.WebSockets;
using Pmcp.Protocol;

namespace Pmcp.Actors.Transport;

/// <summary>
/// The socket as its ConnectionActor sees it: a queue of outbound text messages, a way to close, and a valve on reading.
/// Every member is non-blocking and safe to call from the actor. A WebSocket has one stream for everything; a Streamable
/// HTTP session has one per POST that carried a request, plus the GET stream, so the actor says which request a message
/// belongs to (<see cref="TrySend(string, RequestId, bool)"/>).
/// </summary>
public interface IConnectionOutlet
{
    /// <summary>Queues one JSON text message. False when the socket is closing or closed, or the queue is full (the socket is then closed with 1008).</summary>
    bool TrySend(string json);

    /// <summary>
    /// Queues one message that belongs to the client's request <paramref name="relatedRequest"/>: its response
    /// (<paramref name="final"/>: nothing more will be sent for that request), or a notification or request the server
    /// sends while it runs (progress, log messages of its tool, sampling). A transport with one stream sends it like
    /// any other message. False as for <see cref="TrySend(string)"/>.
    /// </summary>
    bool TrySend(string json, RequestId relatedRequest, bool final) => TrySend(json);

    /// <summary>Sends what is queued, then a close frame with this status. Only the first call counts.</summary>
    void Close(WebSocketCloseStatus status, string reason);

    /// <summary>Stops reading inbound messages until <see cref="ResumeReading"/> (backpressure: nothing is dropped).</summary>
    void PauseReading();

    void ResumeReading();
}
