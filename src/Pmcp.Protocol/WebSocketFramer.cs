using System.Buffers;
using System.Net.WebSockets;
using System.Text;

namespace Pmcp.Protocol;

/// <summary>What one receive completed, as <see cref="WebSocketFramer.Accept"/> says.</summary>
internal enum WebSocketFrameOutcome
{
    /// <summary>Part of a message, or data dropped after this side's close: receive again.</summary>
    Pending,

    /// <summary>A complete text message (<see cref="WebSocketFrame.Text"/>).</summary>
    Message,

    /// <summary>The peer's close frame.</summary>
    Closed,

    /// <summary>A binary frame: MCP messages are text. The reader closes with 1003.</summary>
    Binary,

    /// <summary>A message over the size limit. The reader closes with 1009.</summary>
    TooBig,
}

internal readonly record struct WebSocketFrame(WebSocketFrameOutcome Outcome, string? Text = null);

/// <summary>
/// The framing rules of MCP over WebSocket, shared by the server's and the client's read loops: one UTF-8 JSON-RPC
/// message per text message, fragments joined; a binary frame or a message over the limit ends the conversation (1003,
/// 1009), and once this side is closing only the peer's close frame matters. An idle socket holds no buffer: between
/// messages the loop waits with a zero-byte read and a buffer is rented only once data has arrived (back to the pool
/// when the message is complete), grown by doubling up to the limit. The loop owns the socket and its
/// <c>ReceiveAsync</c>; this type makes no task and no allocation of its own per message.
/// </summary>
internal sealed class WebSocketFramer(int maxMessageBytes) : IDisposable
{
    private const int InitialBufferSize = 4 * 1024;

    private byte[]? _buffer;
    private int _count;
    private int _dropping;

    /// <summary>True once this side closes (or refused what the peer sent): messages are dropped until the peer's close.</summary>
    public bool IsDropping => Volatile.Read(ref _dropping) != 0;

    /// <summary>This side is closing: from now on only the peer's close frame is reported.</summary>
    public void DropMessages() => Volatile.Write(ref _dropping, 1);

    /// <summary>Where the next receive reads into: nothing while idle (a zero-byte read, which waits for data), else the rest of the buffer.</summary>
    public Memory<byte> NextReceiveBuffer()
    {
        if (_buffer is null) return Memory<byte>.Empty;
        if (_count == _buffer.Length) _buffer = Grow(_buffer, _count);
        return _buffer.AsMemory(_count);
    }

    /// <summary>Takes the result of a receive into <see cref="NextReceiveBuffer"/>.</summary>
    public WebSocketFrame Accept(ValueWebSocketReceiveResult result)
    {
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

        var text = _count == 0 ? "" : Encoding.UTF8.GetString(_buffer!, 0, _count);
        _count = 0;
        ReturnBuffer();
        return new(WebSocketFrameOutcome.Message, text);
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
