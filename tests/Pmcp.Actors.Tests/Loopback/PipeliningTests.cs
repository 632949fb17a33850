using Newtonsoft.Json.Linq;
using Pmcp.Actors.Tests.Support;
using Pmcp.Protocol;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Loopback;

public sealed class PipeliningTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ToolsCall_AnswersFastCallFirst_WhenSlowCallWasSentBeforeIt()
    {
        await using var server = await TestServer.StartAsync(output: output);
        await using var client = await server.ConnectAsync();

        var slow = await client.StartToolCallAsync("sleep", new { ms = 3000 });
        var fast = await client.StartToolCallAsync("echo", new { text = "fast" });

        var fastResponse = await fast.ResponseAsync();
        Assert.Equal("fast", fastResponse.ToolText());
        Assert.False(slow.Response.IsCompleted, "the 3 s sleep was answered before the echo sent after it");

        var slowResponse = await slow.ResponseAsync(TimeSpan.FromSeconds(15));
        Assert.Equal("slept 3000 ms", slowResponse.ToolText());
        Assert.True(fastResponse.Sequence < slowResponse.Sequence);
        Assert.True(
            slowResponse.ReceivedAt - fastResponse.ReceivedAt > TimeSpan.FromSeconds(2),
            $"echo arrived at {fastResponse.ReceivedAt}, sleep at {slowResponse.ReceivedAt}: the echo did not come well before");
    }

    [Fact]
    public async Task ToolsCall_AnswersEveryPipelinedCall_WhenMoreAreSentThanMaxInFlight()
    {
        await using var server = await TestServer.StartAsync(
            configureOptions: o => o.MaxInFlightCallsPerConnection = 2, output: output);
        await using var client = await server.ConnectAsync();

        var calls = new List<PendingRequest>();
        for (var i = 0; i < 6; i++)
        {
            calls.Add(await client.StartToolCallAsync("sleep", new { ms = 300 }));
        }

        foreach (var call in calls)
        {
            var response = await call.ResponseAsync(TimeSpan.FromSeconds(15));
            Assert.Equal("slept 300 ms", response.ToolText());
        }

        (await client.PingAsync()).EnsureSuccess();
        Assert.Equal(1 + calls.Count + 1, client.Received.Count); // initialize, six results, the ping: nothing lost, nothing extra
    }

    [Fact]
    public async Task ToolsCall_RunsAtMostMaxInFlightCallsAtOnce_WhenMoreArePipelined()
    {
        const int limit = 2;
        const int callCount = 6;
        var gauge = new ConcurrencyGauge();
        await using var server = await TestServer.StartAsync(
            mcp => mcp.Tool("gauge", async (_, ctx) =>
            {
                await gauge.RunAsync(ctx.CancellationToken);
                return CallToolResult.Text("done");
            }),
            o => o.MaxInFlightCallsPerConnection = limit,
            output);
        using var peer = await RawWebSocketPeer.ConnectAsync(server.WebSocketUri);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        // Everything arrives in one TCP segment, as from a client that pipelines hard (no ClientWebSocket can do that).
        List<string> burst =
        [
            """{"jsonrpc":"2.0","id":"init","method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"burst","version":"1"}}}""",
            """{"jsonrpc":"2.0","method":"notifications/initialized"}""",
            .. Enumerable.Range(1, callCount).Select(i => $$$"""{"jsonrpc":"2.0","id":{{{i}}},"method":"tools/call","params":{"name":"gauge"}}"""),
        ];
        await peer.SendTextBurstAsync(burst, cts.Token);
        var init = JObject.Parse(await peer.ReadTextAsync(cts.Token) ?? "{}");
        Assert.Equal("init", (string?)init["id"]);

        // Release the held calls one by one, each time reading its answer off the socket before the next release:
        // after each, one more queued call may start, never more than the limit.
        await gauge.WhenRunning(limit).Within(Deadline.Default, $"{limit} gauge calls to be running");
        var answers = new List<JObject>();
        for (var finished = 1; finished <= callCount; finished++)
        {
            gauge.ReleaseOne();
            var text = await peer.ReadTextAsync(cts.Token) ?? throw new Xunit.Sdk.XunitException("The server closed the connection.");
            answers.Add(JObject.Parse(text));
            await gauge.WhenRunning(Math.Min(limit, callCount - finished)).Within(Deadline.Default, "the next queued gauge call to start");
        }

        output.WriteLine(gauge.Timeline);
        Assert.Equal(Enumerable.Range(1, callCount), answers.Select(a => (int)a["id"]!).Order());
        Assert.All(answers, a => Assert.Equal("done", (string?)a["result"]?["content"]?[0]?["text"]));
        Assert.Equal(limit, gauge.MaxConcurrent);
    }
}
