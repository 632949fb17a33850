using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Hosting;
using Pmcp.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Robustness.Hostile;

/// <summary>
/// A 2025 HTTP session whose SSE GET stream is never read while notifications pile up on it: progress notifications
/// with a 256 KB <c>progressToken</c>, rerouted to the GET stream because the POSTs that asked went away. On a real
/// loopback socket, the session ends once its queue holds more than <c>MaxOutboundBytesPerConnection</c> (16 MB):
/// its id gets 404 and the stream ends, where the drop-oldest queue alone let one such session hold 3 GB.
/// </summary>
[Collection(HostileCollection.Name)]
public sealed class UnreadGetStreamProbes(ITestOutputHelper output)
{
    private const int Calls = 8; // ten progress notifications each: 80 of 512 KB, 40 MB were they all kept
    private const int TokenChars = 256 * 1024;

    [Fact]
    public async Task AGetStreamNobodyReads_FedLargeProgress_EndsItsSession_OncePastItsByteBudget()
    {
        await using var server = await TestServer.StartAsync();
        var gate = server.App.Services.GetRequiredService<McpServerRuntime>().Gate;
        await Probe.BesideCanaryAsync(server, output, async () =>
        {
            await using var hostile = new McpHttpTestClient(server.McpHttpUri);
            await hostile.InitializeAsync();
            var placesWithHostile = gate.OpenConnections;

            // The GET stream, on a socket with a small receive buffer whose body is never read.
            using var get = new TcpClient { ReceiveBufferSize = 16 * 1024 };
            await get.ConnectAsync(server.McpHttpUri.Host, server.McpHttpUri.Port);
            await RawHttp.SendAsync(get,
                $"GET {server.McpHttpUri.AbsolutePath} HTTP/1.1\r\nHost: {server.McpHttpUri.Authority}\r\nAccept: text/event-stream\r\n" +
                $"{McpHttpTestClient.SessionHeader}: {hostile.SessionId}\r\n{McpHttpTestClient.VersionHeader}: {hostile.ProtocolVersion}\r\n\r\n");
            var head = await ReadHeadOnlyAsync(get);
            Assert.Equal(200, RawHttp.StatusOf(head));

            // Long calls that report progress, each POST dropped once its stream begins: the rest of their
            // progress goes to the GET stream.
            for (var i = 0; i < Calls; i++) await StartAndDropAsync(server.McpHttpUri, hostile, i);

            await Deadline.UntilAsync(async () => await Probe.StatusOfPingAsync(hostile) == HttpStatusCode.NotFound,
                () => $"the session to end ({gate.OpenConnections} places held)", TimeSpan.FromSeconds(30));
            // Its place comes back just after its id is forgotten (StreamableHttpSessions.Ended): a ping may see 404 between the two.
            await Deadline.UntilAsync(() => Task.FromResult(gate.OpenConnections == placesWithHostile - 1),
                () => $"the ended session's place to come back ({gate.OpenConnections} held, {placesWithHostile - 1} expected)", TimeSpan.FromSeconds(30));

            // Its GET stream ended too: what was written to the socket reads out to the end of the response.
            var rest = await ReadToEndOfChunkedBodyAsync(get, TimeSpan.FromSeconds(30));
            output.WriteLine($"the GET stream carried {rest / 1024} KiB before it ended");
        }, canaryFrom: LoopbackSource.Other);
    }

    private static async Task StartAndDropAsync(Uri uri, McpHttpTestClient session, int index)
    {
        var token = index + new string('t', TokenChars);
        var body = new JObject
        {
            ["jsonrpc"] = "2.0",
            ["id"] = $"call-{index}",
            ["method"] = "tools/call",
            ["params"] = new JObject
            {
                ["name"] = "sleep",
                ["arguments"] = new JObject { ["ms"] = 3000 },
                ["_meta"] = new JObject { ["progressToken"] = token },
            },
        }.ToString(Newtonsoft.Json.Formatting.None);
        using var post = await RawHttp.ConnectAsync(uri);
        var bytes = Encoding.UTF8.GetByteCount(body);
        await RawHttp.SendAsync(post,
            $"POST {uri.AbsolutePath} HTTP/1.1\r\nHost: {uri.Authority}\r\nAccept: application/json, text/event-stream\r\nContent-Type: application/json\r\n" +
            $"{McpHttpTestClient.SessionHeader}: {session.SessionId}\r\n{McpHttpTestClient.VersionHeader}: {session.ProtocolVersion}\r\nContent-Length: {bytes}\r\n\r\n" + body);
        var head = await ReadHeadOnlyAsync(post);
        Assert.Equal(200, RawHttp.StatusOf(head));
        // Disposing the socket drops the POST: the server reroutes what the call still sends to the GET stream.
    }

    /// <summary>The response head, read a byte at a time so that nothing of the body is taken off the socket.</summary>
    private static async Task<string> ReadHeadOnlyAsync(TcpClient tcp)
    {
        using var cts = new CancellationTokenSource(Deadline.Default);
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await tcp.GetStream().ReadAsync(one, cts.Token) == 0) break;
            head.Append((char)one[0]);
        }
        return head.ToString();
    }

    /// <summary>Reads the socket until the chunked body's last chunk (or the connection's end); how many bytes came.</summary>
    private static async Task<long> ReadToEndOfChunkedBodyAsync(TcpClient tcp, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var stream = tcp.GetStream();
        var buffer = new byte[64 * 1024];
        var tail = "";
        long total = 0;
        try
        {
            while (true)
            {
                var n = await stream.ReadAsync(buffer, cts.Token);
                if (n == 0) return total;
                total += n;
                tail += Encoding.ASCII.GetString(buffer, Math.Max(0, n - 16), Math.Min(n, 16));
                if (tail.Length > 16) tail = tail[^16..];
                if (tail.EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal)) return total;
            }
        }
        catch (IOException)
        {
            return total; // reset by the server: the stream ended all the same
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the GET stream did not end within {timeout.TotalSeconds:0} s ({total} bytes read)");
        }
    }
}
