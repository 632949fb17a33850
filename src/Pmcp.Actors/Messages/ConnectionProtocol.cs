using Pmcp.Protocol;

namespace Pmcp.Actors.Messages;

/// <summary>Messages a ConnectionActor takes from its socket and its parent.</summary>
internal static class ConnectionProtocol
{
    /// <summary>One complete inbound text message (fragments already joined), parsed by the session.</summary>
    public sealed record Inbound(string Text);

    /// <summary>
    /// One inbound message the transport has already parsed (a Streamable HTTP body, read once by the endpoint; a large
    /// WebSocket message, parsed from the frame's bytes). <paramref name="Chars"/>: its size as the transport counts
    /// what it reads ahead of the actor (its outlet's <c>InboundHandled</c>); 0 when it counts nothing.
    /// </summary>
    public sealed record InboundMessage(JsonRpcMessage Message, int Chars = 0);

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

    /// <summary>A list the client may cache changed (<c>tools</c>): initialized sessions get <c>notifications/&lt;list&gt;/list_changed</c>.</summary>
    /// <remarks><paramref name="Tools"/>: the router's new catalog, for a session that runs its tools in process; null otherwise.</remarks>
    public sealed record ListChanged(string List, ToolCatalog? Tools = null);

    /// <summary>
    /// From a tool: send <paramref name="Method"/> to this connection's client and answer the sender with
    /// <see cref="ClientRequestCompleted"/> or <see cref="ClientRequestFailed"/>. <paramref name="Key"/> names it for cancellation;
    /// <paramref name="RelatedRequest"/> is the client's request whose tool asks (a Streamable HTTP session sends it on that request's stream).
    /// <paramref name="InputKey"/>: the request's name in a 2026-07-28 <c>InputRequiredResult</c> and in the retry's <c>inputResponses</c>.
    /// </summary>
    public sealed record ClientRequest(string Key, string Method, string? ParamsJson, RequestId? RelatedRequest = null, string? InputKey = null) : IMcpWireMessage;

    /// <summary>2026-07-28: the request <paramref name="Key"/> is asked of the client in the call's <c>InputRequiredResult</c>; the handler stops.</summary>
    public sealed record ClientInputRequired(string Key) : IMcpWireMessage;

    public sealed record ClientRequestCompleted(string Key, string ResultJson) : IMcpWireMessage;

    public sealed record ClientRequestFailed(string Key, Tools.ClientRequestFailure Failure, string Message, int? Code = null) : IMcpWireMessage;

    /// <summary>The tool gave up on the request: the client gets <c>notifications/cancelled</c>; no answer follows.</summary>
    public sealed record CancelClientRequest(string Key) : IMcpWireMessage;

    /// <summary>A resource changed: sessions subscribed to <paramref name="Uri"/> get <c>notifications/resources/updated</c>.</summary>
    public sealed record ResourceUpdated(string Uri);

    /// <summary>A log message for this session's client, sent when its level is at or above the session's; <paramref name="RelatedRequest"/>: the request whose tool logs it, if any.</summary>
    public sealed record ClientLog(string Level, string? Logger, string DataJson, RequestId? RelatedRequest = null) : IMcpWireMessage;
}
