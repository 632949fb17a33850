using Pmcp.Protocol;

namespace Pmcp.Client;

/// <summary>
/// A <see cref="ClientConnection"/> (one WebSocket) as an <see cref="IClientConnection"/>: messages go out as text
/// frames whatever they are; the protocol version and era change nothing on the wire; a request the client stops
/// waiting for is cancelled with <c>notifications/cancelled</c>, since the socket carries other messages too.
/// </summary>
internal sealed class WebSocketChannel(ClientConnection socket) : IClientConnection
{
    public ClientConnection Socket { get; } = socket;

    public int Generation => Socket.Generation;

    public bool IsOpen => Socket.IsOpen;

    public Action<RequestId, Exception>? RequestFailed { get; set; }

    public ValueTask<string> ReceiveAsync(CancellationToken cancellationToken) => Socket.ReceiveAsync(cancellationToken);

    public Task SendAsync(OutboundMessage message, CancellationToken cancellationToken) => Socket.SendAsync(message.Json, cancellationToken);

    public void UseProtocol(string? version, bool modern)
    {
    }

    public void HandshakeDone()
    {
    }

    public bool Abandon(RequestId id) => false;

    public void Abort(string reason) => Socket.Abort(reason);
}
