using Pmcp.Protocol;

namespace Pmcp.Client;

/// <summary>
/// One connection of a transport, as <see cref="McpClient"/> uses it: messages out, messages in (one reader), and an
/// end. A WebSocket is one socket; a Streamable HTTP "connection" is a session (2025 era: its POSTs, its GET stream,
/// its id) or, in the 2026 era, the stream of POSTs that share nothing. Either way every message the server sends
/// comes out of <see cref="ReceiveAsync"/>, so answers, progress and server requests are dispatched in one place.
/// </summary>
internal interface IClientConnection
{
    /// <summary>Counts the connections a transport has opened: 1 for the first, 2 after the first reconnect, …</summary>
    int Generation { get; }

    bool IsOpen { get; }

    /// <summary>
    /// Called when the transport could not deliver request <c>id</c> or its answer (an HTTP status without a
    /// JSON-RPC body, a POST that failed); the request fails with that exception. A WebSocket never calls it.
    /// </summary>
    Action<RequestId, Exception>? RequestFailed { get; set; }

    /// <summary>The next message; throws <see cref="McpConnectionLostException"/> once the connection has ended and every earlier message was read.</summary>
    ValueTask<string> ReceiveAsync(CancellationToken cancellationToken);

    /// <summary>Sends one message. For a request, returns once it is on its way; its answer comes through <see cref="ReceiveAsync"/>.</summary>
    Task SendAsync(OutboundMessage message, CancellationToken cancellationToken);

    /// <summary>
    /// The protocol the client speaks on this connection from now on: the version for the HTTP
    /// <c>MCP-Protocol-Version</c> header (null: none yet) and the era (2026: no session, no GET stream).
    /// </summary>
    void UseProtocol(string? version, bool modern);

    /// <summary>The handshake is done (2025 era: <c>notifications/initialized</c> sent); HTTP opens the session's GET stream now.</summary>
    void HandshakeDone();

    /// <summary>
    /// The client stopped waiting for request <paramref name="id"/>. Returns true when the transport has thereby told
    /// the server (2026-era HTTP: closing the request's response stream is its cancellation); false when the client
    /// must send <c>notifications/cancelled</c> itself.
    /// </summary>
    bool Abandon(RequestId id);

    /// <summary>Ends the connection at once; <see cref="ReceiveAsync"/> then ends with <paramref name="reason"/>.</summary>
    void Abort(string reason);
}

/// <summary>
/// One message to send, with what an HTTP transport mirrors into headers: the request id (to route its answer), the
/// method (<c>Mcp-Method</c>), the tool or prompt name or resource URI (<c>Mcp-Name</c>), and a tool's
/// <c>Mcp-Param-*</c> headers (2026 era).
/// </summary>
internal readonly record struct OutboundMessage(string Json, RequestId? Id = null, string? Method = null, string? Name = null,
    IReadOnlyList<KeyValuePair<string, string>>? Headers = null)
{
    public bool IsRequest => Id is not null;
}
