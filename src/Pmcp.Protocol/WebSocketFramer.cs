using System.Buffers;
using System.Net.WebSockets;
using System.Text;

namespace Pmcp.Protocol;

/// <summary>What one receive completed, as <see cref="WebSocketFramer.Accept"/> says.</summary>
internal enum WebSocketFrameOutcome
{
    /// <summary>Part of a message, or data dropped after this side's close: receive again.</summary>
    Pending,

    /// <summary>A complete text message (<see cref="WebSocketFrame.Utf8"/>, <see cref="WebSocketFrame.Text"/>).</summary>
    Message,

    /// <summary>The peer's close frame.</summary>
    Closed,

    /// <summary>A binary frame: MCP messages are text. The reader closes with 1003.</summary>
    Binary,

    /// <summary>A message over the size limit. The reader closes with 1009.</summary>
    TooBig,
}

/// <summary>What one receive completed; for a message, its bytes, which stay valid until the next call to the framer.</summary>
internal readonly record struct WebSocketFrame(WebSocketFrameOutcome Outcome, ReadOnlyMemory<byte> Utf8 = default)
{
    /// <summary>The message as text (decoded on each read).</summary>
    public string Text => Utf8.IsEmpty ? "" : Encoding.UTF8.GetString(Utf8.Span);
}

/// <summary>
/// The framing rules of MCP over WebSocket, shared by the server's and the client's read loops: one UTF-8 JSON-RPC
/// message per text message, fragments joined; a binary frame or a message over the limit ends the conversation (1003,
/// 1009), and once this side is closing only the peer's close frame matters. An idle socket holds no buffer: between
/// messages the loop waits with a zero-byte read and a buffer is rented only once data has arrived (back to the pool
/// once the message is read), grown by doubling up to the limit. A complete message is handed over as its bytes, in
/// that buffer, so the loop may parse them without making the text first; the loop owns the socket and its
/// <c>ReceiveAsync</c>; this type makes no task and no allocation of its own per message.
/// </summary>
internal sealed class WebSocketFramer(int maxMessageBytes) : IDisposable
{
    private const int InitialBufferSize = 4 * 1024;

    private byte[]? _buffer;
    private int _count;
    private int _dropping;
    private bool _messageHandedOut; // the buffer holds the message Accept returned last: it goes back to the pool once read

    /// <summary>True once this side closes (or refused what the peer sent): messages are dropped until the peer's close.</summary>
    public bool IsDropping => Volatile.Read(ref _dropping) != 0;

    /// <summary>This side is closing: from now on only the peer's close frame is reported.</summary>
    public void DropMessages() => Volatile.Write(ref _dropping, 1);

    /// <summary>Where the next receive reads into: nothing while idle (a zero-byte read, which waits for data), else the rest of the buffer.</summary>
    public Memory<byte> NextReceiveBuffer()
    {
        ReleaseMessage();
        if (_buffer is null) return Memory<byte>.Empty;
        if (_count == _buffer.Length) _buffer = Grow(_buffer, _count);
        return _buffer.AsMemory(_count);
    }

    /// <summary>Takes the result of a receive into <see cref="NextReceiveBuffer"/>.</summary>
    public WebSocketFrame Accept(ValueWebSocketReceiveResult result)
    {
        ReleaseMessage();
        if (result.MessageType == WebSocketMessageType.Close) return new(WebSocketFrameOutcome.Closed);
        if (_buffer is null && result is { Count: 0, EndOfMessage: false })
        {
            // Data is waiting: rent the buffer and read it. (A complete empty message goes on below.)
            _buffer = ArrayPool<byte>.Shared.Rent(InitialBufferSize);
            return new(WebSocketFrameOutcome.Pending);
        }
        if (IsDropping)
        {
            _count = 0;
            return new(WebSocketFrameOutcome.Pending);
        }
        if (result.MessageType == WebSocketMessageType.Binary)
        {
            Refuse();
            return new(WebSocketFrameOutcome.Binary);
        }

        _count += result.Count;
        if (_count > maxMessageBytes)
        {
            Refuse();
            return new(WebSocketFrameOutcome.TooBig);
        }
        if (!result.EndOfMessage) return new(WebSocketFrameOutcome.Pending);

        var message = _count == 0 ? ReadOnlyMemory<byte>.Empty : _buffer.AsMemory(0, _count);
        _count = 0;
        _messageHandedOut = true;
        return new(WebSocketFrameOutcome.Message, message);
    }

    /// <summary>
    /// The caller is done with the message <see cref="Accept"/> returned: its buffer goes back to the pool now, for a
    /// loop that may wait before its next receive (the next call to the framer releases it otherwise).
    /// </summary>
    public void ReleaseMessage()
    {
        if (!_messageHandedOut) return;
        _messageHandedOut = false;
        ReturnBuffer();
    }

    /// <summary>Gives the buffer back; call when the read loop ends.</summary>
    public void Dispose() => ReturnBuffer();

    private void Refuse()
    {
        _count = 0;
        DropMessages();
    }

    private void ReturnBuffer()
    {
        if (_buffer is null) return;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = null;
    }

    private byte[] Grow(byte[] buffer, int used)
    {
        var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Min(2L * buffer.Length, maxMessageBytes + 1L), Array.MaxLength));
        buffer.AsSpan(0, used).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(buffer);
        return larger;
    }
}
