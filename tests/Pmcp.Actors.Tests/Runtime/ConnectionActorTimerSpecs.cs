using System.Net.WebSockets;
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using Akka.TestKit.Configs;
using Akka.TestKit.Xunit2;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Messages;
using Pmcp.Actors.Runtime;
using Pmcp.Actors.Tools;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Runtime;

/// <summary>Handshake and idle timers, driven by Akka's TestScheduler: time moves only when a spec advances it.</summary>
public sealed class ConnectionActorTimerSpecs : SessionSpecs
{
    private readonly TestTools _tools = new();

    public ConnectionActorTimerSpecs(ITestOutputHelper output) : base(output, TestConfigs.TestSchedulerConfig)
    {
        var options = new McpServerOptions { HandshakeTimeout = TimeSpan.FromSeconds(10), IdleTimeout = TimeSpan.FromSeconds(60) };
        var definition = _tools.AddTo(new McpServerBuilder()).Build();
        Connection = SpecConnection.Start(Sys, definition, options, Socket).Connection;
    }

    private TestScheduler Clock => (TestScheduler)Sys.Scheduler;


    [Fact]
    public async Task HandshakeTimeout_Closes1008_WhenNoInitialize()
    {
        // A ping does not count as the handshake.
        Send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}");
        await Socket.ExpectMsgAsync<ProbeOutlet.Sent>(Wait);
        Clock.Advance(TimeSpan.FromSeconds(9));
        await Socket.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        Clock.Advance(TimeSpan.FromSeconds(1));
        var closed = await Socket.ExpectMsgAsync<ProbeOutlet.Closed>(Wait);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, closed.Status);
    }

    [Fact]
    public async Task HandshakeTimeout_IsCancelled_ByInitialize()
    {
        await InitializeAsync(sendInitialized: false);
        Clock.Advance(TimeSpan.FromSeconds(30));
        Send("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}");
        var answer = await Socket.ExpectMsgAsync<ProbeOutlet.Sent>(Wait);
        Assert.Equal(2, (int)JObject.Parse(answer.Json)["id"]!);
    }

    [Fact]
    public async Task IdleTimeout_Closes1000_WhenNothingArrives()
    {
        await InitializeAsync(sendInitialized: false);
        Clock.Advance(TimeSpan.FromSeconds(61));
        var closed = await Socket.ExpectMsgAsync<ProbeOutlet.Closed>(Wait);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, closed.Status);
        Assert.Equal("idle timeout", closed.Reason);
    }

    [Fact]
    public async Task IdleTimeout_DoesNotClose_WhileACallIsInFlight()
    {
        await InitializeAsync(sendInitialized: false);
        Send("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"block\"}}");
        await AwaitConditionAsync(() => Task.FromResult(Volatile.Read(ref _tools.Started) == 1), Wait);
        Clock.Advance(TimeSpan.FromSeconds(61));
        Send("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"ping\"}");
        var answer = await Socket.ExpectMsgAsync<ProbeOutlet.Sent>(Wait);
        Assert.Equal(4, (int)JObject.Parse(answer.Json)["id"]!);
    }
}
