using Pmcp.Protocol;
using static Pmcp.Actors.Messages.ToolRouterProtocol;

namespace Pmcp.Actors.Session;

/// <summary>
/// What a <see cref="McpSession"/> asks of whatever hosts it (an actor in the server, a fake in its unit tests): the
/// effects of handling a message. The session decides; the host carries out, and knows the transport and the actors.
/// </summary>
internal interface ISessionHost
{
    /// <summary>Queues a message for the client; <paramref name="related"/>: the client's request it belongs to (its response when <paramref name="final"/>). False when the transport takes no more.</summary>
    bool Send(string json, RequestId? related = null, bool final = false);

    /// <summary>Closes the transport (once the queued messages are out).</summary>
    void Close(CloseReason reason);

    /// <summary>Stops reading inbound messages until <see cref="ResumeReading"/>: the session's in-flight limit is reached.</summary>
    void PauseReading();

    void ResumeReading();

    /// <summary>initialize was answered with success: the handshake deadline no longer applies.</summary>
    void HandshakeDone();

    /// <summary>The client cancelled its request <paramref name="id"/>: no response follows (a transport with a stream per request ends it).</summary>
    void RequestCancelled(RequestId id);

    /// <summary>How many calls of user code are in flight now (told on each change): a session with none may be evicted when idle.</summary>
    void CallsInFlight(int count)
    {
    }

    /// <summary>The session is over: the transport is gone.</summary>
    void Stop();

    /// <summary>Asks the registry for a page of a list; its answer comes back as <see cref="McpSession.Listed"/>.</summary>
    void RequestList(ListItems request);

    /// <summary>A call that runs here did not finish within this turn (or told its client something first): its answer comes back through <see cref="McpSession.Answered"/>.</summary>
    void AwaitAnswer(ValueTask<CallAnswered> answer);

    /// <summary>Starts (or, with null, cancels) the deadline of the server's request <paramref name="id"/> to the client; it ends in <see cref="McpSession.ClientRequestTimedOut"/>.</summary>
    void ClientRequestDeadline(long id, TimeSpan? after);

    /// <summary>Tells the code that asked the client something (<paramref name="asker"/>, as given to <see cref="McpSession.SendClientRequest"/>) how it ended.</summary>
    void TellAsker(object asker, object answer);

    /// <summary>The actor that gets, for this session, what others send it by ref (a task's status changes); null when there is none.</summary>
    Akka.Actor.IActorRef? Inbox { get; }

    /// <summary>The clock of the rate limit.</summary>
    DateTimeOffset Now { get; }

    void LogWarning(string message);

    void LogDebug(string message);
}
