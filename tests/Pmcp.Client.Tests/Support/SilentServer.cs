using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Pmcp.Protocol;

namespace Pmcp.Client.Tests.Support;

/// <summary>
/// A raw TCP server that completes the WebSocket handshake by hand, answers initialize (a discovery probe before it
/// with -32601, as a 2025-era server does), and then stops reading
/// for good: the socket stays open, but the client's pings are never answered (no pong), nor is anything else.
/// Every connection it accepts goes the same way; <see cref="Connections"/> counts them.
/// </summary>
internal sealed class SilentServer : IAsyncDisposable
{
    private const string WebSocketGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _clients = [];
    private readonly Task _acceptLoop;
    private int _connections;

    public SilentServer()
    {
        _listener.Start();
        Url = new Uri($"ws://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/mcp");
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public Uri Url { get; }

    /// <summary>Connections whose initialize was read (and is answered).</summary>
    public int Connections => Volatile.Read(ref _connections);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        lock (_clients)
        {
            foreach (var client in _clients) client.Dispose();
        }
        try
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            lock (_clients) _clients.Add(client);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        try
        {
            var stream = client.GetStream();
            await HandshakeAsync(stream).ConfigureAwait(false);
            var initialize = JObject.Parse(await ReadTextFrameAsync(stream).ConfigureAwait(false));
            if ((string?)initialize["method"] == "server/discover")
            {
                // A 2025-era server: the client's discovery probe is answered -32601 and initialize follows.
                var unknown = new JObject
                {
                    ["jsonrpc"] = "2.0",
                    ["id"] = initialize["id"],
                    ["error"] = new JObject { ["code"] = JsonRpcErrorCodes.MethodNotFound, ["message"] = "Method not found: server/discover" },
                };
                await WriteTextFrameAsync(stream, unknown.ToString(Formatting.None)).ConfigureAwait(false);
                initialize = JObject.Parse(await ReadTextFrameAsync(stream).ConfigureAwait(false));
            }
            var result = new JObject
            {
                ["jsonrpc"] = "2.0",
                ["id"] = initialize["id"],
                ["result"] = new JObject
                {
                    ["protocolVersion"] = McpProtocolVersions.Latest,
                    ["capabilities"] = new JObject(),
                    ["serverInfo"] = new JObject { ["name"] = "silent", ["version"] = "0.1" },
                },
            };
            // Counted before the answer goes out, so a client that has its answer always sees the count.
            Interlocked.Increment(ref _connections);
            await WriteTextFrameAsync(stream, result.ToString(Formatting.None)).ConfigureAwait(false);
            // From here on nothing is read: pings pile up unanswered in the socket buffer.
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The client went away first.
        }
    }

    private async Task HandshakeAsync(NetworkStream stream)
    {
        var request = new StringBuilder();
        var one = new byte[1];
        while (!request.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one, _stop.Token).ConfigureAwait(false) == 0) throw new IOException("closed during the handshake");
            request.Append((char)one[0]);
        }

        var key = request.ToString().Split("\r\n")
            .First(line => line.StartsWith("Sec-WebSocket-Key:", StringComparison.OrdinalIgnoreCase))["Sec-WebSocket-Key:".Length..].Trim();
#pragma warning disable CA5350 // RFC 6455's Sec-WebSocket-Accept is SHA-1 by definition; nothing here is secured by it
        var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + WebSocketGuid)));
#pragma warning restore CA5350
        var response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + $"Sec-WebSocket-Accept: {accept}\r\nSec-WebSocket-Protocol: mcp\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(response), _stop.Token).ConfigureAwait(false);
    }

    /// <summary>Reads client frames (masked) until a complete text frame; control frames are skipped, unanswered.</summary>
    private async Task<string> ReadTextFrameAsync(NetworkStream stream)
    {
        while (true)
        {
            var header = await ReadExactlyAsync(stream, 2).ConfigureAwait(false);
            var opcode = header[0] & 0x0F;
            long length = header[1] & 0x7F;
            if (length == 126) length = BinaryPrimitives.ReadUInt16BigEndian(await ReadExactlyAsync(stream, 2).ConfigureAwait(false));
            else if (length == 127) length = (long)BinaryPrimitives.ReadUInt64BigEndian(await ReadExactlyAsync(stream, 8).ConfigureAwait(false));
            var mask = (header[1] & 0x80) != 0 ? await ReadExactlyAsync(stream, 4).ConfigureAwait(false) : null;
            var payload = await ReadExactlyAsync(stream, (int)length).ConfigureAwait(false);
            if (mask is not null)
            {
                for (var i = 0; i < payload.Length; i++) payload[i] ^= mask[i % 4];
            }
            if (opcode == 0x1) return Encoding.UTF8.GetString(payload);
        }
    }

    private async Task<byte[]> ReadExactlyAsync(NetworkStream stream, int count)
    {
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer, _stop.Token).ConfigureAwait(false);
        return buffer;
    }

    private async Task WriteTextFrameAsync(NetworkStream stream, string text)
    {
        var payload = Encoding.UTF8.GetBytes(text);
        var frame = new List<byte> { 0x81 };
        if (payload.Length < 126)
        {
            frame.Add((byte)payload.Length);
        }
        else
        {
            frame.Add(126);
            frame.Add((byte)(payload.Length >> 8));
            frame.Add((byte)payload.Length);
        }
        frame.AddRange(payload);
        await stream.WriteAsync(frame.ToArray(), _stop.Token).ConfigureAwait(false);
    }
}
