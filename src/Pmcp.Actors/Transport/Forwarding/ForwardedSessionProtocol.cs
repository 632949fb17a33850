using Pmcp.Actors.Messages;
using Pmcp.Actors.Security;

namespace Pmcp.Actors.Transport.Forwarding;

/// <summary>
/// How a gateway serves a Streamable HTTP request for a session that lives on another gateway. The serving gateway's
/// <see cref="ForwardedRequestActor"/> sends <see cref="OpenExchange"/> to the owner's
/// <see cref="HttpSessionOwnerActor"/>; the answer is either one message (a refusal or a bare status) or, from a
/// <see cref="ForwardedExchangeActor"/> on the owner, what the session sends for the request: <see cref="Outbound"/>
/// messages (the last one final for a POST) and then <see cref="ExchangeEnded"/> if the stream ends without one.
/// The owner sends no more <see cref="Outbound"/> messages than the serving gateway has granted with <see cref="Credit"/>,
/// so a client that does not read holds up its own stream, not the owner's memory.
/// </summary>
internal static class ForwardedSessionProtocol
{
    /// <summary>Messages the owner may send before it is granted more: the serving gateway's initial grant.</summary>
    public const int Window = 32;

    public enum ForwardedMethod
    {
        Post,
        Get,
        Delete,
    }

    /// <summary>
    /// Serve <paramref name="Method"/> for session <paramref name="SessionId"/> on behalf of <paramref name="Caller"/> (as
    /// authenticated by the serving gateway). <paramref name="Body"/> is the POST's JSON-RPC message, already checked there.
    /// The sender is the serving gateway's relay: everything about the exchange goes to it.
    /// </summary>
    public sealed record OpenExchange(string SessionId, ForwardedMethod Method, string? Body, CallerIdentity? Caller) : IMcpWireMessage;

    /// <summary>Answer with this status and one line of text (404: no such session for this caller; 409: the GET stream is taken).</summary>
    public sealed record ExchangeRefused(int Status, string Text) : IMcpWireMessage;

    /// <summary>Answer with this status and no body (202: a notification or response was accepted; 204: the session was deleted).</summary>
    public sealed record ExchangeStatus(int Status) : IMcpWireMessage;

    /// <summary>The session's GET stream is attached to this exchange: start the SSE response now.</summary>
    public sealed record StreamOpened : IMcpWireMessage;

    /// <summary>One JSON-RPC message of the exchange; <paramref name="Final"/>: the POST's response, the last message.</summary>
    public sealed record Outbound(string Json, bool Final) : IMcpWireMessage;

    /// <summary>The stream ended without a response: the request was cancelled, or (<paramref name="SessionEnded"/>) the session ended.</summary>
    public sealed record ExchangeEnded(bool SessionEnded) : IMcpWireMessage;

    /// <summary>The serving gateway wrote <paramref name="Count"/> more messages to its client: the owner may send as many more.</summary>
    public sealed record Credit(int Count) : IMcpWireMessage;
}
