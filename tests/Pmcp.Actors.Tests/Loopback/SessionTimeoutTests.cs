using System.Net.WebSockets;
using Pmcp.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Loopback;

public sealed class SessionTimeoutTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Socket_IsClosedWith1008_WhenInitializeDoesNotComeWithinHandshakeTimeout()
    {
        await using var server = await TestServer.StartAsync(
            configureOptions: o => o.HandshakeTimeout = TimeSpan.FromMilliseconds(500), output: output);
        await using var client = await server.ConnectAsync(initialize: false);

        var closed = await client.WaitForCloseAsync();

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, closed.Status);
        Assert.True(closed.At >= TimeSpan.FromMilliseconds(400), $"closed too early: {closed}");
    }

    [Fact]
    public async Task Socket_StaysOpenPastHandshakeTimeout_WhenInitializeCameInTime()
    {
        await using var server = await TestServer.StartAsync(
            configureOptions: o => o.HandshakeTimeout = TimeSpan.FromMilliseconds(500), output: output);
        await using var client = await server.ConnectAsync();

        // A call that outlasts the handshake timeout proves the timer was cancelled by initialize.
        Assert.Equal("slept 1000 ms", (await client.CallToolAsync("sleep", new { ms = 1000 })).ToolText());
        Assert.False(client.Closed.IsCompleted, $"the session was closed: {client.CloseState}");
        (await client.PingAsync()).EnsureSuccess();
    }

    [Fact]
    public async Task Socket_IsClosedWith1000IdleTimeout_WhenInitializedSessionStaysIdle()
    {
        await using var server = await TestServer.StartAsync(
            configureOptions: o => o.IdleTimeout = TimeSpan.FromMilliseconds(500), output: output);
        await using var client = await server.ConnectAsync();
        var initializedAt = client.Elapsed;

        var closed = await client.WaitForCloseAsync();

        Assert.Equal(WebSocketCloseStatus.NormalClosure, closed.Status);
        Assert.Equal("idle timeout", closed.Description);
        Assert.True(closed.At - initializedAt >= TimeSpan.FromMilliseconds(400), $"closed too early: {closed}");
    }

    [Fact]
    public async Task Socket_IsNotClosedForIdleness_WhileACallIsInFlight()
    {
        await using var server = await TestServer.StartAsync(
            configureOptions: o => o.IdleTimeout = TimeSpan.FromMilliseconds(300), output: output);
        await using var client = await server.ConnectAsync();

        var response = await client.CallToolAsync("sleep", new { ms = 1200 });

        Assert.Equal("slept 1200 ms", response.ToolText());
        var closed = await client.WaitForCloseAsync();
        Assert.Equal(WebSocketCloseStatus.NormalClosure, closed.Status);
        Assert.Equal("idle timeout", closed.Description);
        Assert.True(closed.At > response.ReceivedAt, $"closed at {closed.At} before the answer at {response.ReceivedAt}");
    }
}
