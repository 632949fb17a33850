using System.Diagnostics;
using System.Net.Sockets;
using Pmcp.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Loopback;

public sealed class KeepAliveTests(ITestOutputHelper output)
{
    private static void FastKeepAlive(McpServerOptions o)
    {
        o.KeepAliveInterval = TimeSpan.FromMilliseconds(200);
        o.KeepAliveTimeout = TimeSpan.FromMilliseconds(500);
        o.HandshakeTimeout = TimeSpan.FromSeconds(60); // only keepalive may end the silent peer's connection
    }

    [Fact]
    public async Task Connection_IsDroppedWithinSeconds_WhenPeerNeverAnswersPings()
    {
        await using var server = await TestServer.StartAsync(configureOptions: FastKeepAlive, output: output);
        using var peer = await RawWebSocketPeer.ConnectAsync(server.WebSocketUri);
        Assert.Contains("Sec-WebSocket-Protocol: mcp", peer.UpgradeResponse, StringComparison.OrdinalIgnoreCase);

        var clock = Stopwatch.StartNew();
        var pings = 0;
        var otherFrames = new List<byte>();
        string ending;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            while (true)
            {
                var frame = await peer.ReadFrameAsync(cts.Token);
                if (frame is null)
                {
                    ending = "closed (read returned 0)";
                    break;
                }

                if (frame.Value.Opcode == RawWebSocketPeer.OpPing)
                {
                    pings++;
                }
                else
                {
                    otherFrames.Add(frame.Value.Opcode);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException)
        {
            ending = "reset: " + ex.Message;
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"The server kept the silent peer's connection for 10 s ({pings} pings seen).");
        }

        output.WriteLine($"connection ended after {clock.ElapsedMilliseconds} ms, {pings} pings: {ending}");
        Assert.True(pings >= 1, "the server sent no ping before dropping the connection");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the connection was dropped only after {clock.Elapsed}");
        Assert.DoesNotContain(RawWebSocketPeer.OpText, otherFrames); // nothing was said to the peer but pings (and perhaps a close)
    }

    [Fact]
    public async Task Connection_StaysUsableAcrossManyKeepAliveIntervals_WhenClientAnswersPings()
    {
        await using var server = await TestServer.StartAsync(configureOptions: FastKeepAlive, output: output);
        await using var client = await server.ConnectAsync();

        // 1.5 s is seven ping intervals and three pong timeouts; ClientWebSocket answers each ping while it reads.
        var response = await client.CallToolAsync("sleep", new { ms = 1500 });

        Assert.Equal("slept 1500 ms", response.ToolText());
        Assert.False(client.Closed.IsCompleted, $"the socket ended: {client.CloseState}");
        Assert.Equal("still here", (await client.CallToolAsync("echo", new { text = "still here" })).ToolText());
    }
}
