using System.Net;
using System.Net.WebSockets;
using Akka.Actor;
using Pmcp.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Loopback;

public sealed class ShutdownTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Stop_RefusesUpgradesWith503_AnswersCallInFlight_ThenClosesWith1001()
    {
        await using var server = await TestServer.StartAsync(configureOptions: o => o.DrainTimeout = TimeSpan.FromSeconds(10), output: output);
        await using var client = await server.ConnectAsync();
        var sleep = await client.StartToolCallAsync("sleep", new { ms = 1500 });
        (await client.PingAsync()).EnsureSuccess(); // the call is in flight

        var stopping = server.StopAsync();

        // The drain starts asynchronously: retry until the gate answers 503.
        var status = HttpStatusCode.SwitchingProtocols;
        var attempts = 0;
        var deadline = DateTime.UtcNow + Deadline.Default;
        while (status != HttpStatusCode.ServiceUnavailable && DateTime.UtcNow < deadline)
        {
            attempts++;
            status = await UpgradeProbe.TryUpgradeAsync(server.WebSocketUri);
        }

        output.WriteLine($"503 after {attempts} attempt(s)");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.False(sleep.Response.IsCompleted, "the in-flight call was answered before the upgrade was refused");

        var response = await sleep.ResponseAsync();
        Assert.Equal("slept 1500 ms", response.ToolText());
        var closed = await client.WaitForCloseAsync();
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, closed.Status);
        Assert.True(closed.At >= response.ReceivedAt);
        await stopping.Within(Deadline.Default, "StopAsync to complete");
    }

    [Fact]
    public async Task Stop_RefusesNewCallsWithServerShuttingDown_WhileDraining()
    {
        await using var server = await TestServer.StartAsync(configureOptions: o => o.DrainTimeout = TimeSpan.FromSeconds(10), output: output);
        await using var client = await server.ConnectAsync();
        var sleep = await client.StartToolCallAsync("sleep", new { ms = 1000 });
        (await client.PingAsync()).EnsureSuccess();

        var stopping = server.StopAsync();

        // Calls keep being refused until the drain has begun on this connection; ping is answered throughout.
        int? code = null;
        var deadline = DateTime.UtcNow + Deadline.Default;
        while (code != -32000 && DateTime.UtcNow < deadline && !sleep.Response.IsCompleted)
        {
            var refused = await client.CallToolAsync("echo", new { text = "late" });
            code = refused.ErrorCode;
        }

        Assert.Equal(-32000, code);
        Assert.Equal("slept 1000 ms", (await sleep.ResponseAsync()).ToolText());
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, (await client.WaitForCloseAsync()).Status);
        await stopping.Within(Deadline.Default, "StopAsync to complete");
    }

    [Fact]
    public async Task Stop_ClosesWith1001AfterDrainTimeout_WhenCallOutlivesIt()
    {
        await using var server = await TestServer.StartAsync(configureOptions: o => o.DrainTimeout = TimeSpan.FromMilliseconds(500), output: output);
        await using var client = await server.ConnectAsync();
        var sleep = await client.StartToolCallAsync("sleep", new { ms = 30_000 });
        (await client.PingAsync()).EnsureSuccess();

        var stopping = server.StopAsync();

        var closed = await client.WaitForCloseAsync();
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, closed.Status);
        Assert.False(sleep.Response.IsCompletedSuccessfully);
        await stopping.Within(Deadline.Default, "StopAsync to complete");
    }

    [Fact]
    public async Task Stop_CompletesAfterCloseTimeout_WhenClientNeverAnswersTheCloseFrame()
    {
        await using var server = await TestServer.StartAsync(
            configureOptions: o => o.CloseTimeout = TimeSpan.FromMilliseconds(500), output: output);
        using var peer = await RawWebSocketPeer.ConnectAsync(server.WebSocketUri);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await peer.SendTextBurstAsync(
            ["""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"mute","version":"1"}}}"""],
            cts.Token);
        Assert.Contains("\"id\":1", await peer.ReadTextAsync(cts.Token), StringComparison.Ordinal);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var stopping = server.StopAsync();

        // The peer reads the close frame (1001) but never answers it; the server must give up on it by itself.
        var close = await peer.ReadFrameAsync(cts.Token);
        Assert.Equal(RawWebSocketPeer.OpClose, close?.Opcode);
        Assert.Equal(1001, (close!.Value.Payload[0] << 8) | close.Value.Payload[1]);
        await stopping.Within(Deadline.Default, "StopAsync to complete with a mute client");
        output.WriteLine($"stopped after {clock.ElapsedMilliseconds} ms");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"StopAsync took {clock.Elapsed}");
    }

    [Fact]
    public async Task Stop_DoesNotWaitOutTheDrain_WhenTheActorSystemIsShuttingDownByItself()
    {
        // A drain long enough that waiting it out would fail the deadline below; a call that would hold it that long.
        await using var server = await TestServer.StartAsync(configureOptions: o => o.DrainTimeout = TimeSpan.FromSeconds(60), output: output);
        await using var client = await server.ConnectAsync();
        _ = await client.StartToolCallAsync("sleep", new { ms = 60_000 });
        (await client.PingAsync()).EnsureSuccess();

        // The ActorSystem's own shutdown (what a cluster does to a downed node) starts before the host is told to stop:
        // the actors the drain would wait on go away under it, and the host must notice rather than wait for answers.
        var shutdown = CoordinatedShutdown.Get(server.ActorSystem).Run(CoordinatedShutdown.ClrExitReason.Instance);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await server.StopAsync().Within(Deadline.Default, "StopAsync while the ActorSystem shuts down by itself");
        output.WriteLine($"stopped after {clock.ElapsedMilliseconds} ms");
        await shutdown.Within(Deadline.Default, "the ActorSystem's own shutdown");
    }
}
