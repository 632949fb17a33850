using System.Globalization;
using System.Net.WebSockets;
using Akka.Actor;
using Pmcp.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Loopback;

public sealed class SupervisionTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Socket_IsClosedWith1011_WhenItsConnectionActorIsKilled_AndOtherClientsGoOn()
    {
        await using var server = await TestServer.StartAsync(output: output);
        await using var victim = await server.ConnectAsync();
        await using var bystander = await server.ConnectAsync();

        var connections = await IdentifyConnectionsAsync(server.ActorSystem, expected: 2);
        var first = connections.MinBy(c => long.Parse(c.Path.Name["connection-".Length..], CultureInfo.InvariantCulture))!;
        first.Tell(Kill.Instance);

        var closed = await victim.WaitForCloseAsync();
        Assert.Equal(WebSocketCloseStatus.InternalServerError, closed.Status);
        Assert.Equal("ok", (await bystander.CallToolAsync("echo", new { text = "ok" })).ToolText());
        Assert.False(bystander.Closed.IsCompleted);
    }

    [Fact]
    public async Task Socket_IsClosedWith1011AndItsCallCancelled_WhenItsConnectionActorIsKilledMidCall()
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await TestServer.StartAsync(
            mcp => mcp.Tool("hang", async (_, ctx) =>
            {
                using var registration = ctx.CancellationToken.Register(() => cancelled.TrySetResult());
                await Task.Delay(Timeout.Infinite, ctx.CancellationToken);
                return Pmcp.Protocol.CallToolResult.Text("unreachable");
            }),
            output: output);
        await using var client = await server.ConnectAsync();
        var call = await client.StartToolCallAsync("hang");
        (await client.PingAsync()).EnsureSuccess(); // the call has been dispatched

        var connection = Assert.Single(await IdentifyConnectionsAsync(server.ActorSystem, expected: 1));
        connection.Tell(Kill.Instance);

        Assert.Equal(WebSocketCloseStatus.InternalServerError, (await client.WaitForCloseAsync()).Status);
        await cancelled.Task.Within(Deadline.Default, "the running tool's CancellationToken to be cancelled");
        Assert.False(call.Response.IsCompletedSuccessfully);
    }

    /// <summary>The ConnectionActors under /user/pmcp, found with Identify through a wildcard selection.</summary>
    private static async Task<IReadOnlyList<IActorRef>> IdentifyConnectionsAsync(ActorSystem system, int expected)
    {
        var inbox = Inbox.Create(system);
        system.ActorSelection("/user/pmcp/connection-*").Tell(new Identify("connections"), inbox.Receiver);
        var found = new List<IActorRef>();
        while (found.Count < expected)
        {
            var reply = await inbox.ReceiveAsync(Deadline.Default);
            var identity = Assert.IsType<ActorIdentity>(reply);
            Assert.NotNull(identity.Subject);
            found.Add(identity.Subject);
        }

        return found;
    }
}
