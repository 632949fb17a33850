using Pmcp.Protocol;

namespace Pmcp.Actors.Session;

/// <summary>
/// A session's transport as its host sees it: a queue of outbound messages, a transport-neutral close, a valve on
/// reading, and two things a transport with a stream per request needs to hear. Every member is non-blocking and safe
/// to call from the actor. A WebSocket has one stream for everything; a Streamable HTTP session has one per POST that
/// carried a request, plus the GET stream, so each message says which request it belongs to. A new transport is one
/// implementation of this, plus an endpoint that opens sessions through <see cref="Transport.SessionOpening"/>.
/// </summary>
internal interface IConnectionOutlet
{
    /// <summary>
    /// Queues one JSON text message. <paramref name="related"/>: the client's request it belongs to — its response
    /// (<paramref name="final"/>: nothing more will be sent for that request), or a notification or request the server
    /// sends while it runs (progress, log messages of its tool, sampling); null for a message tied to no request. False
    /// when the transport is closing or closed, or its queue is full (it then closes itself as a policy violation).
    /// </summary>
    bool Send(string json, RequestId? related = null, bool final = false);

    /// <summary>The transport's name in telemetry (<c>network.protocol.name</c>): <c>websocket</c>, <c>http</c>.</summary>
    string ProtocolName => "other";

    /// <summary>Sends what is queued, then closes. Only the first call counts.</summary>
    void Close(CloseReason reason);

    /// <summary>Stops reading inbound messages until <see cref="ResumeReading"/> (backpressure: nothing is dropped).</summary>
    void PauseReading();

    void ResumeReading();

    /// <summary>
    /// The host handled one inbound message of <paramref name="chars"/> characters that the transport read and handed it
    /// as text: a transport that bounds what it reads ahead of its host (a WebSocket) reads on once it is back within that.
    /// </summary>
    void InboundHandled(int chars)
    {
    }

    /// <summary>The session answered initialize with success (a Streamable HTTP session gives out its id only then).</summary>
    void Initialized()
    {
    }

    /// <summary>How many calls of user code the session has in flight, told on each change: with none (and no stream open) it is idle, and may be evicted to make room.</summary>
    void CallsInFlight(int count)
    {
    }

    /// <summary>The client cancelled its request <paramref name="id"/> (<c>notifications/cancelled</c>): no response follows.</summary>
    void RequestCancelled(RequestId id)
    {
    }

    /// <summary>
    /// Its host is done with it before it ended (a 2026-07-28 request answered, with nothing of it left running): the
    /// outlet's end is not told to the host, which may serve another request by then. False when the outlet ended
    /// first (its end is on its way to the host), and for an outlet that lives as long as its host (the default).
    /// </summary>
    bool ReleaseHost() => false;
}
