using System.Net.WebSockets;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Configs;
using Akka.TestKit.Xunit2;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Messages;
using Pmcp.Actors.Runtime;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Runtime;

/// <summary>The per-connection message rate limit (a token bucket on the scheduler's clock), driven by a TestScheduler.</summary>
public sealed class MessageRateLimitSpecs : SessionSpecs
{
    private readonly TestTools _tools = new();

    public MessageRateLimitSpecs(ITestOutputHelper output) : base(output, TestConfigs.TestSchedulerConfig)
    {
        var options = new McpServerOptions { MaxMessagesPerSecond = 2, MessageBurst = 3, RateLimitViolationsBeforeClose = 4 };
        var definition = _tools.AddTo(new McpServerBuilder()).Build();
        Connection = SpecConnection.Start(Sys, definition, options, Socket).Connection;
    }

    private TestScheduler Clock => (TestScheduler)Sys.Scheduler;

    private void Ping(int id) => Send($"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"method\":\"ping\"}}");

    [Fact]
    public async Task Connection_AnswersRateLimited_ForRequestsBeyondTheBurst()
    {
        for (var id = 1; id <= 4; id++) Ping(id);

        for (var id = 1; id <= 3; id++) Assert.Equal(id, (int)(await NextAsync())["id"]!);
        var refused = await NextAsync();
        Assert.Equal(4, (int)refused["id"]!);
        Assert.Equal(JsonRpcErrorCodes.RateLimited, (int)refused["error"]!["code"]!);
        Assert.Equal(-32005, JsonRpcErrorCodes.RateLimited);
    }

    [Fact]
    public async Task Connection_AdmitsAgain_AfterTheBucketRefills()
    {
        for (var id = 1; id <= 4; id++) Ping(id);
        for (var i = 0; i < 4; i++) await NextAsync();

        Clock.Advance(TimeSpan.FromSeconds(1)); // 2 per second: two more
        Ping(5);
        Ping(6);
        Ping(7);

        Assert.Null((await NextAsync())["error"]);
        Assert.Null((await NextAsync())["error"]);
        Assert.Equal(JsonRpcErrorCodes.RateLimited, (int)(await NextAsync())["error"]!["code"]!);
    }

    [Fact]
    public async Task Connection_DropsNotificationsSilently_WhenOverTheLimit()
    {
        for (var id = 1; id <= 3; id++) Ping(id);
        for (var i = 0; i < 3; i++) await NextAsync();

        Send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");

        await Socket.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Connection_Closes1008_AfterTooManyRefusalsInARow()
    {
        for (var id = 1; id <= 3; id++) Ping(id);
        for (var i = 0; i < 3; i++) await NextAsync();

        for (var id = 4; id <= 7; id++) Ping(id); // refusals 1..4; the 4th closes

        for (var i = 0; i < 3; i++) Assert.Equal(JsonRpcErrorCodes.RateLimited, (int)(await NextAsync())["error"]!["code"]!);
        var closed = await Socket.ExpectMsgAsync<ProbeOutlet.Closed>(Wait);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, closed.Status);
        Assert.Equal("message rate limit exceeded", closed.Reason);
    }

    [Fact]
    public async Task Connection_ForgivesRefusals_WhenAMessageIsAdmittedBetweenThem()
    {
        for (var id = 1; id <= 3; id++) Ping(id);
        for (var i = 0; i < 3; i++) await NextAsync();

        for (var round = 0; round < 3; round++)
        {
            Ping(100 + round);                       // refused
            Ping(200 + round);                       // refused
            Ping(300 + round);                       // refused: 3 in a row, one short of closing
            for (var i = 0; i < 3; i++) await NextAsync();
            Clock.Advance(TimeSpan.FromSeconds(0.5)); // one token back
            Ping(400 + round);                       // admitted: the count starts over
            Assert.Null((await NextAsync())["error"]);
        }

        await Socket.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void MessageRateLimiter_IsOff_ByDefault()
    {
        Assert.Equal(0, new McpServerOptions().MaxMessagesPerSecond);
    }

    [Fact]
    public async Task CallHeldBackByTheInFlightLimit_IsNotChargedTwice()
    {
        // Burst 3: initialize and two calls. The second call waits for the first (limit 1) and must then run,
        // not be refused for a token it already paid.
        // A second connection on the same probe: the first (this spec's own) says nothing unless spoken to.
        Socket.IgnoreMessages(m => m is ProbeOutlet.Paused or ProbeOutlet.Resumed);
        var options = new McpServerOptions { MaxMessagesPerSecond = 0.001, MessageBurst = 3, MaxInFlightCallsPerConnection = 1 };
        var definition = _tools.AddTo(new McpServerBuilder()).Build();
        Connection = SpecConnection.Start(Sys, definition, options, Socket, connectionId: 2).Connection;

        await InitializeAsync(sendInitialized: false);
        Request(1, "tools/call", new { name = "block" });
        Request(2, "tools/call", new { name = "block" });
        await AwaitConditionAsync(() => Task.FromResult(Volatile.Read(ref _tools.Started) == 1), Wait);
        _tools.Release.SetResult();

        Assert.Equal("released", (string)(await ResultAsync(1))["content"]![0]!["text"]!);
        Assert.Equal("released", (string)(await ResultAsync(2))["content"]![0]!["text"]!);
    }
}
