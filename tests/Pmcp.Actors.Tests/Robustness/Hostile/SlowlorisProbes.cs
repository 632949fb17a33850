using System.Diagnostics;
using System.Net.Sockets;
using Pmcp.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Robustness.Hostile;

/// <summary>
/// Slowloris: connections that send their request headers one byte a second, to hold the server's connections open.
/// Kestrel ends each once its request-headers timeout has passed (30 s by default; shortened for the probe), on the
/// WebSocket upgrade and on the Streamable HTTP POST alike, and the canary beside them is not slowed.
/// </summary>
[Collection(HostileCollection.Name)]
public sealed class SlowlorisProbes(HostileServer hostile, ITestOutputHelper output) : IClassFixture<HostileServer>
{
    private const int Connections = 10;

    // The timeout plus Kestrel's one-second heartbeat, with room for a busy machine.
    private static readonly TimeSpan Bound = HostileServer.HeadersTimeout + TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData("websocket")]
    [InlineData("http")]
    public Task HeadersOneByteASecond_AreCutOffByTheHeadersTimeout(string transport) => Probe.BesideCanaryAsync(hostile.Server, output, async () =>
    {
        var uri = hostile.Server.McpHttpUri;
        var head = transport == "websocket"
            ? $"GET {uri.AbsolutePath} HTTP/1.1\r\nHost: {uri.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
            : RawHttp.PostHead(uri, "Content-Length: 2") + "{}";

        var results = await Task.WhenAll(Enumerable.Range(0, Connections).Select(_ => DripAsync(uri, head)));

        foreach (var (sent, took) in results)
        {
            Assert.True(sent < head.Length, $"the server read the whole head, {sent} bytes, one a second");
            Assert.True(took < Bound, $"a slow connection stayed open {took.TotalSeconds:0.0} s");
        }
        output.WriteLine($"closed after {string.Join(", ", results.Select(r => $"{r.Took.TotalSeconds:0.0} s/{r.Sent} B"))}");
    });

    /// <summary>Sends <paramref name="head"/> one byte a second until the server closes the connection; how many bytes went and how long it stayed open.</summary>
    private static async Task<(int Sent, TimeSpan Took)> DripAsync(Uri uri, string head)
    {
        using var tcp = await RawHttp.ConnectAsync(uri);
        var clock = Stopwatch.StartNew();
        var closed = RawHttp.ReadUntilClosedAsync(tcp, Bound + TimeSpan.FromSeconds(5));
        var sent = 0;
        while (!closed.IsCompleted && sent < head.Length)
        {
            try
            {
                await RawHttp.SendAsync(tcp, head[sent].ToString());
                sent++;
            }
            catch (Exception ex) when (ex is IOException or SocketException)
            {
                break;
            }
            await Task.WhenAny(closed, Task.Delay(TimeSpan.FromSeconds(1))); // the attacker's pace
        }
        await closed;
        return (sent, clock.Elapsed);
    }
}
