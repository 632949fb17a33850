using System.Net.WebSockets;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Microsoft.Extensions.Logging.Abstractions;
using Pmcp.Actors.Messages;
using Pmcp.Actors.Runtime;
using Pmcp.Actors.Tools;
using Xunit.Abstractions;
using static Pmcp.Actors.Runtime.McpServerProtocol;

namespace Pmcp.Actors.Tests.Runtime;

public sealed class McpServerActorSpecs : TestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private readonly IActorRef _server;

    public McpServerActorSpecs(ITestOutputHelper output) : base(output: output)
    {
        var options = new McpServerOptions { CloseTimeout = TimeSpan.FromSeconds(1) };
        var definition = new TestTools().AddTo(new McpServerBuilder()).Build();
        var router = Sys.ActorOf(ToolRouterActor.Props(definition, options, NullLoggerFactory.Instance), "pmcp-tools");
        _server = Sys.ActorOf(McpServerActor.Props(definition, options, router), "pmcp");
    }

    private async Task<IActorRef> OpenAsync(Akka.TestKit.TestProbe socket)
    {
        _server.Tell(new OpenConnection(new ProbeOutlet(socket), "127.0.0.1:1"));
        return (await ExpectMsgAsync<ConnectionOpened>(Wait)).Connection;
    }

    [Fact]
    public async Task OpenConnection_CreatesNamedChild_AndCountsIt()
    {
        var connection = await OpenAsync(CreateTestProbe());
        Assert.Equal("/user/pmcp/connection-1", connection.Path.ToStringWithoutAddress());
        _server.Tell(GetStats.Instance);
        Assert.Equal(new Stats(1, 1), await ExpectMsgAsync<Stats>(Wait));
    }

    [Fact]
    public async Task FaultyConnection_IsStopped_OthersStay()
    {
        var faulty = await OpenAsync(CreateTestProbe());
        var healthySocket = CreateTestProbe();
        var healthy = await OpenAsync(healthySocket);
        Watch(faulty);
        faulty.Tell(Kill.Instance);
        await ExpectTerminatedAsync(faulty, Wait);

        healthy.Tell(new ConnectionProtocol.Inbound("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}"));
        await healthySocket.ExpectMsgAsync<ProbeOutlet.Sent>(Wait);
        await AwaitAssertAsync(async () => Assert.Equal(new Stats(1, 2), await _server.Ask<Stats>(GetStats.Instance, Wait)), Wait);
    }

    [Fact]
    public async Task Drain_WithNoConnections_AnswersAtOnce()
    {
        _server.Tell(new Drain(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, (await ExpectMsgAsync<Drained>(Wait)).ConnectionsLeft);
    }

    [Fact]
    public async Task Drain_ClosesEveryConnection1001_AndAnswersWhenTheyAreGone()
    {
        var sockets = new[] { CreateTestProbe(), CreateTestProbe() };
        var connections = new List<IActorRef>();
        foreach (var s in sockets) connections.Add(await OpenAsync(s));

        _server.Tell(new Drain(TimeSpan.FromSeconds(10)));
        foreach (var s in sockets)
            Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, (await s.ExpectMsgAsync<ProbeOutlet.Closed>(Wait)).Status);

        // The transport reports each socket finished; then the drain is complete.
        foreach (var c in connections) c.Tell(new ConnectionProtocol.SocketClosed("closed"));
        Assert.Equal(0, (await ExpectMsgAsync<Drained>(Wait)).ConnectionsLeft);
    }

    [Fact]
    public async Task Drain_ClosesLateConnections_Too()
    {
        _server.Tell(new Drain(TimeSpan.FromSeconds(10)));
        await ExpectMsgAsync<Drained>(Wait);
        var socket = CreateTestProbe();
        await OpenAsync(socket);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, (await socket.ExpectMsgAsync<ProbeOutlet.Closed>(Wait)).Status);
    }
}
