using Akka.Actor;
using Akka.TestKit.Xunit2;
using Microsoft.Extensions.Logging.Abstractions;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Messages;
using Pmcp.Actors.Runtime;
using Pmcp.Actors.Tools;
using Pmcp.Actors.Tests.Era2026;
using Pmcp.Protocol;
using Xunit.Abstractions;
using static Pmcp.Actors.Runtime.McpServerProtocol;

namespace Pmcp.Actors.Tests.Runtime;

/// <summary>
/// The hosts of 2026-07-28 requests (issue 29): one request at a time, each in a session of its own; back to the pool
/// when nothing of the request is left behind, stopped otherwise; stopped by the drain while they wait.
/// </summary>
public sealed class ModernRequestActorSpecs : TestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly IActorRef _server;
    private readonly ModernRequestPool _pool = new();
    private readonly TestTools _tools = new();

    public ModernRequestActorSpecs(ITestOutputHelper output) : base(output: output)
    {
        var options = new McpServerOptions { CloseTimeout = TimeSpan.FromSeconds(1), ServeStatelessEra = true };
        var definition = _tools.AddTo(new McpServerBuilder()).Build();
        var router = Sys.ActorOf(ToolRouterActor.Props(definition, options, NullLoggerFactory.Instance), "pmcp-tools");
        _server = Sys.ActorOf(McpServerActor.Props(definition, options, router, requestHosts: _pool), "pmcp");
    }

    private static JsonRpcMessage Call(int id, string tool, string? text = null)
    {
        var @params = ModernRequests.Params(new JObject { ["name"] = tool, ["arguments"] = text is null ? new JObject() : new JObject { ["text"] = text } });
        var body = new JObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = "tools/call", ["params"] = @params }.ToString(Formatting.None);
        Assert.True(JsonRpcMessage.TryParse(body, out var message, out _, out _));
        return message!;
    }

    private async Task<IActorRef> NewHostAsync()
    {
        _server.Tell(OpenRequestHost.Instance);
        return (await ExpectMsgAsync<ConnectionOpened>(Wait)).Connection;
    }

    private async Task<string> ServeAsync(IActorRef host, Akka.TestKit.TestProbe client, JsonRpcMessage request)
    {
        host.Tell(new ModernRequestActor.Serve(new ProbeOutlet(client), request, null));
        return (await client.ExpectMsgAsync<ProbeOutlet.Sent>(Wait)).Json;
    }

    [Fact]
    public async Task Host_AnswersItsRequest_ThenWaitsInThePool_AndServesTheNextInASessionOfItsOwn()
    {
        var host = await NewHostAsync();
        var client = CreateTestProbe();

        var first = JObject.Parse(await ServeAsync(host, client, Call(1, "echo", "first")));
        host.Tell(new ConnectionProtocol.SocketClosed("the request's POST ended"));
        await AwaitConditionAsync(() => Task.FromResult(_pool.IdleCount == 1), Wait);
        Assert.True(_pool.TryTake(out var again));
        // The same id again, as a stateless client may send: the new session knows nothing of the first request.
        var second = JObject.Parse(await ServeAsync(again, client, Call(1, "echo", "second")));

        Assert.Equal(host, again);
        Assert.Equal("first", (string?)first["result"]!["content"]![0]!["text"]);
        Assert.Equal("second", (string?)second["result"]!["content"]![0]!["text"]);
        Assert.Equal(new Stats(1, 1), await _server.Ask<Stats>(GetStats.Instance, Wait));
    }

    [Fact]
    public async Task Host_WhoseAnsweredRequestLetsGoOfItsOutlet_IsBackInThePoolAtOnce_WithoutWaitingForTheOutletsEnd()
    {
        var host = await NewHostAsync();
        var client = CreateTestProbe();

        host.Tell(new ModernRequestActor.Serve(new ProbeOutlet(client) { Releasable = true }, Call(1, "echo", "first"), null));
        await client.ExpectMsgAsync<ProbeOutlet.Sent>(Wait);

        // No SocketClosed is told: the answered request's host is back in the pool in the turn that answered it.
        await AwaitConditionAsync(() => Task.FromResult(_pool.IdleCount == 1), Wait);
        Assert.True(_pool.TryTake(out var again));
        var second = JObject.Parse(await ServeAsync(again, client, Call(2, "echo", "second")));
        Assert.Equal("second", (string?)second["result"]!["content"]![0]!["text"]);
        client.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // nothing was closed, by either request
    }

    [Fact]
    public void RequestOutlet_LetGoByItsHost_DoesNotTellItsEnd_AndOneThatEndedFirstCannotBeLetGo()
    {
        var host = CreateTestProbe();
        var options = new McpServerOptions();
        var gate = new Pmcp.Actors.Transport.ConnectionGate(options);
        var released = new Pmcp.Actors.Transport.ModernRequestOutlet(new RequestId(1), gate.TryEnter("a", startsSession: false).Place!, options) { Actor = host };
        var ended = new Pmcp.Actors.Transport.ModernRequestOutlet(new RequestId(1), gate.TryEnter("b", startsSession: false).Place!, options) { Actor = host };

        Assert.True(released.ReleaseHost());
        released.End("the request's POST ended");
        host.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        ended.End("the client went away");
        Assert.False(ended.ReleaseHost());
        Assert.Equal("the client went away", host.ExpectMsg<ConnectionProtocol.SocketClosed>(Wait).Reason);
        Assert.Equal(0, gate.OpenConnections); // both gave their places back
    }

    [Fact]
    public async Task Host_WhoseRequestEndedWithItsCallStillRunning_Stops_InsteadOfWaitingInThePool()
    {
        var host = await NewHostAsync();
        Watch(host);
        host.Tell(new ModernRequestActor.Serve(new ProbeOutlet(CreateTestProbe()), Call(1, "block"), null));
        await AwaitConditionAsync(() => Task.FromResult(Volatile.Read(ref _tools.Started) == 1), Wait);

        host.Tell(new ConnectionProtocol.SocketClosed("the client went away"));

        await ExpectTerminatedAsync(host, Wait);
        await _tools.Cancelled.Task.WaitAsync(Wait); // the request's call was cancelled with it
        Assert.Equal(0, _pool.IdleCount);
    }

    [Fact]
    public async Task Drain_StopsTheHostsWaitingInThePool_AndTheServerDrainsAtOnce()
    {
        var host = await NewHostAsync();
        await ServeAsync(host, CreateTestProbe(), Call(1, "echo", "hi"));
        host.Tell(new ConnectionProtocol.SocketClosed("the request's POST ended"));
        await AwaitConditionAsync(() => Task.FromResult(_pool.IdleCount == 1), Wait);

        _server.Tell(new Drain(TimeSpan.FromMinutes(5))); // far beyond Wait: a host left waiting would hold the drain that long

        Assert.Equal(0, (await ExpectMsgAsync<Drained>(Wait)).ConnectionsLeft);
        Assert.False(_pool.TryTake(out _));
    }
}
