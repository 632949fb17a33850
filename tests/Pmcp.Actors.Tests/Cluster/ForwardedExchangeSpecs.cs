using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Pmcp.Actors.Messages;
using Pmcp.Actors.Runtime;
using Pmcp.Actors.Cluster;
using Pmcp.Actors.Session;
using Pmcp.Actors.Transport;
using Pmcp.Protocol;
using Xunit.Abstractions;
using Pmcp.Actors.Transport.Forwarding;
using static Pmcp.Actors.Transport.Forwarding.ForwardedSessionProtocol;

namespace Pmcp.Actors.Tests.Cluster;

/// <summary>
/// The owner's side of a request served by another gateway, against a real <see cref="StreamableHttpSession"/>: the
/// relay (a probe here) gets what the session sends for the request, never more than it granted, and the session's
/// streams are given back when the relay goes.
/// </summary>
public sealed class ForwardedExchangeSpecs(ITestOutputHelper output) : TestKit(output: output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly StreamableHttpSession _session = NewSession();

    private static StreamableHttpSession NewSession() =>
        new("s-1", null, new McpServerOptions { OutboundQueueCapacity = 4 * Window }, _ => { });

    [Fact]
    public void GetStream_RelaysNoMoreThanTheWindow_UntilGrantedMore()
    {
        var relay = CreateTestProbe();
        Sys.ActorOf(ForwardedExchangeActor.Props(_session, null, relay.Ref));
        relay.ExpectMsg<StreamOpened>(Wait);
        var exchange = relay.LastSender;

        for (var i = 0; i < Window + 5; i++) Assert.True(_session.Send($"{{\"n\":{i}}}"));
        for (var i = 0; i < Window; i++) Assert.Equal($"{{\"n\":{i}}}", relay.ExpectMsg<Outbound>(Wait).Json);
        relay.ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // the window is used up: the rest waits on the owner

        exchange.Tell(new Credit(5), relay.Ref);
        for (var i = Window; i < Window + 5; i++) Assert.Equal($"{{\"n\":{i}}}", relay.ExpectMsg<Outbound>(Wait).Json);
        Assert.Null(_session.AttachGet()); // held by the exchange

        // The relay goes (its client left, or its node): the GET stream is free for the next one.
        Watch(exchange);
        Sys.Stop(relay.Ref);
        ExpectTerminated(exchange, Wait);
        Assert.NotNull(_session.AttachGet());
    }

    [Fact]
    public void PostedRequest_ReachesTheConnection_AndItsMessagesComeBackInOrder_TheResponseLast()
    {
        var connection = CreateTestProbe();
        _session.Actor = connection.Ref;
        var relay = CreateTestProbe();
        Sys.ActorOf(ForwardedExchangeActor.Props(_session, Request(7), relay.Ref));

        var inbound = connection.ExpectMsg<ConnectionProtocol.InboundMessage>(Wait);
        Assert.Equal(new RequestId(7), inbound.Message.Id);
        _session.Send("""{"progress":1}""", new RequestId(7));
        _session.Send("""{"result":{}}""", new RequestId(7), final: true);

        Assert.Equal(new Outbound("""{"progress":1}""", Final: false), relay.ExpectMsg<Outbound>(Wait));
        Assert.Equal(new Outbound("""{"result":{}}""", Final: true), relay.ExpectMsg<Outbound>(Wait));
    }

    [Fact]
    public void PostedRequest_WithAnIdStillInFlight_IsAnsweredWithTheError_AndNeverReachesTheConnection()
    {
        var connection = CreateTestProbe();
        _session.Actor = connection.Ref;
        Assert.NotNull(_session.OpenPost(new RequestId(7)));
        var relay = CreateTestProbe();
        Sys.ActorOf(ForwardedExchangeActor.Props(_session, Request(7), relay.Ref));

        Assert.Equal(new Outbound(McpSession.RequestIdInUse(new RequestId(7)), Final: true), relay.ExpectMsg<Outbound>(Wait));
        connection.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void SessionEndingWhileTheRequestRuns_EndsTheExchange_SayingSo()
    {
        _session.Actor = CreateTestProbe().Ref;
        var relay = CreateTestProbe();
        Sys.ActorOf(ForwardedExchangeActor.Props(_session, Request(3), relay.Ref));
        AwaitCondition(() => _session.HasOpenPost(new RequestId(3)), Wait); // the exchange holds the request's stream (asking by OpenPost would take it first when the exchange is slow to start)

        _session.End("closed by the server: test");
        Assert.Equal(new ExchangeEnded(SessionEnded: true), relay.ExpectMsg<ExchangeEnded>(Wait));
    }

    private static JsonRpcMessage Request(long id)
    {
        Assert.True(JsonRpcMessage.TryParse($$"""{"jsonrpc":"2.0","id":{{id}},"method":"tools/list"}""", out var message, out _, out _));
        return message!;
    }
}
