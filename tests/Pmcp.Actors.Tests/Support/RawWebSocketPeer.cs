using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Pmcp.Actors.Tests.Support;

/// <summary>
/// A WebSocket peer written by hand over a TCP socket: it does the HTTP upgrade itself and then only reads frames.
/// It never answers a ping, never sends a frame: what a hung or vanished client looks like to the server.
/// </summary>
internal sealed class RawWebSocketPeer : IDisposable
{
    public const byte OpText = 0x1;
    public const byte OpClose = 0x8;
    public const byte OpPing = 0x9;

    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private byte[] _sendScratch = [];
    private readonly byte[] _pending;
    private int _pendingStart;
    private int _pendingEnd;

    private RawWebSocketPeer(TcpClient tcp, byte[] leftover, int leftoverCount)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        _pending = new byte[64 * 1024];
        Array.Copy(leftover, _pending, leftoverCount);
        _pendingEnd = leftoverCount;
    }

    /// <summary>The status line and headers of the server's upgrade response.</summary>
    public string UpgradeResponse { get; private set; } = "";

    /// <param name="receiveBufferSize">
    /// When set, the socket's receive buffer (SO_RCVBUF, which also stops the kernel growing it): a small one makes a
    /// peer that stops reading back up the server quickly, instead of after tens of megabytes on loopback.
    /// </param>
    public static async Task<RawWebSocketPeer> ConnectAsync(Uri webSocketUri, string? subProtocol = "mcp", TimeSpan? timeout = null, int? receiveBufferSize = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Deadline.Default);
        var tcp = new TcpClient(AddressFamily.InterNetwork) { NoDelay = true };
        if (receiveBufferSize is { } size)
        {
            tcp.ReceiveBufferSize = size;
        }

        try
        {
            await tcp.ConnectAsync(IPAddress.Parse(webSocketUri.Host), webSocketUri.Port, cts.Token).ConfigureAwait(false);
            var stream = tcp.GetStream();
            var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
            var request = new StringBuilder()
                .Append("GET ").Append(webSocketUri.PathAndQuery).Append(" HTTP/1.1\r\n")
                .Append("Host: ").Append(webSocketUri.Authority).Append("\r\n")
                .Append("Upgrade: websocket\r\n")
                .Append("Connection: Upgrade\r\n")
                .Append("Sec-WebSocket-Key: ").Append(key).Append("\r\n")
                .Append("Sec-WebSocket-Version: 13\r\n");
            if (subProtocol is not null)
            {
                request.Append("Sec-WebSocket-Protocol: ").Append(subProtocol).Append("\r\n");
            }

            request.Append("\r\n");
            await stream.WriteAsync(Encoding.ASCII.GetBytes(request.ToString()), cts.Token).ConfigureAwait(false);

            // Read up to the blank line that ends the response headers; anything after it is the first frames.
            var buffer = new byte[64 * 1024];
            var count = 0;
            int headerEnd;
            while ((headerEnd = IndexOfHeaderEnd(buffer, count)) < 0)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(count), cts.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new IOException("The server closed the connection during the upgrade.");
                }

                count += read;
            }

            var headers = Encoding.ASCII.GetString(buffer, 0, headerEnd);
            if (!headers.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
            {
                throw new IOException("The upgrade was refused: " + headers);
            }

            var leftover = buffer.AsSpan(headerEnd + 4, count - headerEnd - 4).ToArray();
            return new RawWebSocketPeer(tcp, leftover, leftover.Length) { UpgradeResponse = headers };
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Writes each message as one masked text frame, all of them in a single TCP write, so that the server finds
    /// them in its receive buffer together (a burst no ClientWebSocket can produce).
    /// </summary>
    public async Task SendTextBurstAsync(IEnumerable<string> messages, CancellationToken cancellationToken)
    {
        using var burst = new MemoryStream();
        foreach (var message in messages)
        {
            var payload = Encoding.UTF8.GetBytes(message);
            burst.WriteByte(0x80 | OpText); // FIN + text
            if (payload.Length < 126)
            {
                burst.WriteByte((byte)(0x80 | payload.Length));
            }
            else if (payload.Length <= ushort.MaxValue)
            {
                burst.WriteByte(0x80 | 126);
                burst.WriteByte((byte)(payload.Length >> 8));
                burst.WriteByte((byte)payload.Length);
            }
            else
            {
                burst.WriteByte(0x80 | 127);
                for (var shift = 56; shift >= 0; shift -= 8)
                {
                    burst.WriteByte((byte)((long)payload.Length >> shift));
                }
            }

            var mask = RandomNumberGenerator.GetBytes(4);
            burst.Write(mask);
            for (var i = 0; i < payload.Length; i++)
            {
                payload[i] ^= mask[i % 4];
            }

            burst.Write(payload);
        }

        await _stream.WriteAsync(burst.ToArray(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes <paramref name="utf8"/> as one masked text frame, masked into a buffer this peer keeps: a probe that sends
    /// the same large message many times then makes no garbage of its own, so the GC work the test process sees is
    /// the server's.
    /// </summary>
    public async Task SendTextAsync(ReadOnlyMemory<byte> utf8, CancellationToken cancellationToken)
    {
        var length = utf8.Length;
        var headerLength = 2 + (length < 126 ? 0 : length <= ushort.MaxValue ? 2 : 8) + 4;
        if (_sendScratch.Length < headerLength + length) _sendScratch = new byte[headerLength + length];
        var frame = _sendScratch;
        frame[0] = 0x80 | OpText;
        var at = 2;
        if (length < 126)
        {
            frame[1] = (byte)(0x80 | length);
        }
        else if (length <= ushort.MaxValue)
        {
            frame[1] = 0x80 | 126;
            frame[2] = (byte)(length >> 8);
            frame[3] = (byte)length;
            at = 4;
        }
        else
        {
            frame[1] = 0x80 | 127;
            for (var shift = 56; shift >= 0; shift -= 8) frame[at++] = (byte)((long)length >> shift);
        }
        RandomNumberGenerator.Fill(frame.AsSpan(at, 4));
        var mask = frame.AsSpan(at, 4).ToArray();
        at += 4;
        var payload = utf8.Span;
        for (var i = 0; i < length; i++) frame[at + i] = (byte)(payload[i] ^ mask[i % 4]);
        await _stream.WriteAsync(frame.AsMemory(0, at + length), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads frames until a text frame comes (pings are ignored) and returns its text; null at end of stream.</summary>
    public async Task<string?> ReadTextAsync(CancellationToken cancellationToken)
    {
        while (await ReadFrameAsync(cancellationToken).ConfigureAwait(false) is { } frame)
        {
            if (frame.Opcode == OpText)
            {
                return Encoding.UTF8.GetString(frame.Payload);
            }
        }

        return null;
    }

    /// <summary>
    /// Reads the next frame's opcode and payload; null when the server closed the TCP connection (read returned 0).
    /// A reset surfaces as <see cref="IOException"/> or <see cref="SocketException"/>.
    /// </summary>
    public async Task<(byte Opcode, byte[] Payload)?> ReadFrameAsync(CancellationToken cancellationToken)
    {
        if (!await FillAsync(2, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var opcode = (byte)(_pending[_pendingStart] & 0x0F);
        var masked = (_pending[_pendingStart + 1] & 0x80) != 0;
        long length = _pending[_pendingStart + 1] & 0x7F;
        var headerLength = 2 + (length == 126 ? 2 : length == 127 ? 8 : 0) + (masked ? 4 : 0);
        if (!await FillAsync(headerLength, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        if (length == 126)
        {
            length = (_pending[_pendingStart + 2] << 8) | _pending[_pendingStart + 3];
        }
        else if (length == 127)
        {
            length = 0;
            for (var i = 0; i < 8; i++)
            {
                length = (length << 8) | _pending[_pendingStart + 2 + i];
            }
        }

        if (headerLength + length > _pending.Length)
        {
            throw new InvalidDataException($"Frame of {length} bytes is larger than this test peer reads.");
        }

        if (!await FillAsync(headerLength + (int)length, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var payload = _pending.AsSpan(_pendingStart + headerLength, (int)length).ToArray();
        _pendingStart += headerLength + (int)length;
        return (opcode, payload);
    }

    public void Dispose() => _tcp.Dispose();

    /// <summary>Resets the connection (RST, no close handshake at either level): what a crashed client or a dropped route looks like.</summary>
    public void Reset()
    {
        _tcp.Client.LingerState = new LingerOption(true, 0);
        _tcp.Dispose();
    }

    private async Task<bool> FillAsync(int needed, CancellationToken cancellationToken)
    {
        while (_pendingEnd - _pendingStart < needed)
        {
            if (_pendingStart > 0)
            {
                Array.Copy(_pending, _pendingStart, _pending, 0, _pendingEnd - _pendingStart);
                _pendingEnd -= _pendingStart;
                _pendingStart = 0;
            }

            var read = await _stream.ReadAsync(_pending.AsMemory(_pendingEnd), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return false;
            }

            _pendingEnd += read;
        }

        return true;
    }

    private static int IndexOfHeaderEnd(byte[] buffer, int count) =>
        buffer.AsSpan(0, count).IndexOf("\r\n\r\n"u8);
}
