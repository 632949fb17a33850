using System.Net.WebSockets;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Pmcp.Actors.Messages;
using Pmcp.Protocol;

namespace Pmcp.Actors.Tests.Runtime;

/// <summary>How a connection ends: draining, its deadline, a fault, and the socket closing under it.</summary>
public abstract partial class ConnectionActorSpecsBase
{
    [Fact]
    public async Task Drain_RefusesNewCalls_FinishesInFlight_ThenCloses1001()
    {
        await InitializeAsync();
        Request(1, "tools/call", new { name = "block" });
        await AwaitConditionAsync(() => Task.FromResult(Volatile.Read(ref _tools.Started) == 1), Wait);
        Connection.Tell(ConnectionProtocol.Drain.Instance);

        Request(2, "tools/call", new { name = "echo", arguments = new { text = "late" } });
        await ErrorAsync(2, JsonRpcErrorCodes.ServerShuttingDown);
        Request(3, "ping");
        await ResultAsync(3);

        _tools.Release.SetResult();
        await ResultAsync(1);
        var closed = await Socket.ExpectMsgAsync<ProbeOutlet.Closed>(Wait);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, closed.Status);
    }

    [Fact]
    public async Task DrainDeadline_ClosesAtOnce_AndCancelsCalls()
    {
        await InitializeAsync();
        Request(1, "tools/call", new { name = "block" });
        await AwaitConditionAsync(() => Task.FromResult(Volatile.Read(ref _tools.Started) == 1), Wait);
        Connection.Tell(ConnectionProtocol.Drain.Instance);
        Connection.Tell(ConnectionProtocol.DrainDeadline.Instance);
        var closed = await Socket.ExpectMsgAsync<ProbeOutlet.Closed>(Wait);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, closed.Status);
        await _tools.Cancelled.Task.WaitAsync(Wait);
    }

    [Fact]
    public async Task Fault_ClosesSocketWith1011()
    {
        await InitializeAsync();
        Watch(Connection);
        Connection.Tell(Kill.Instance);
        var closed = await Socket.ExpectMsgAsync<ProbeOutlet.Closed>(Wait);
        Assert.Equal(WebSocketCloseStatus.InternalServerError, closed.Status);
        await ExpectTerminatedAsync(Connection, Wait);
    }

    [Fact]
    public async Task SocketClosed_StopsTheActor_AndCancelsCalls()
    {
        await InitializeAsync();
        Request(1, "tools/call", new { name = "block" });
        await AwaitConditionAsync(() => Task.FromResult(Volatile.Read(ref _tools.Started) == 1), Wait);
        Watch(Connection);
        Connection.Tell(new ConnectionProtocol.SocketClosed("peer closed"));
        await ExpectTerminatedAsync(Connection, Wait);
        await _tools.Cancelled.Task.WaitAsync(Wait);
        // A socket that is already gone is not closed again.
        await Socket.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
    }
}
