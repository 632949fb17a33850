using Newtonsoft.Json.Linq;
using Pmcp.Actors.Tests.Support;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Robustness.Hostile;

/// <summary>
/// A 2025-03-26 batch of 40,000 tool calls on one socket (about 3 MB, under <c>MaxMessageBytes</c>): its calls are held
/// back at <c>MaxInFlightCallsPerConnection</c> like single calls, so at most that many run at once, and the batch is
/// still answered whole, as one array.
/// </summary>
[Collection(HostileCollection.Name)]
public sealed class BatchProbes(ITestOutputHelper output)
{
    private const int Calls = 40_000;

    [Fact]
    public async Task BatchOf40000Calls_RunsAtMostTheInFlightLimitAtOnce_AndIsAnsweredWhole()
    {
        var running = 0;
        var mostAtOnce = 0;
        await using var server = await TestServer.StartAsync(mcp => mcp.Tool("hold", async (_, _) =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref mostAtOnce, now);
            await Task.Yield(); // leave the call running past its start, so that the calls started after it overlap it
            Interlocked.Decrement(ref running);
            return CallToolResult.Text("held");
        }));
        var limit = server.Options.MaxInFlightCallsPerConnection;

        await Probe.BesideCanaryAsync(server, output, async () =>
        {
            await using var client = await server.ConnectAsync(initialize: false);
            await client.InitializeAsync("2025-03-26");
            var batch = "[" + string.Join(",", Enumerable.Range(1, Calls).Select(i => $$$"""{"jsonrpc":"2.0","id":{{{i}}},"method":"tools/call","params":{"name":"hold"}}""")) + "]";
            await client.SendTextAsync(batch);

            var frame = await client.ReadUnmatchedAsync(TimeSpan.FromSeconds(120));
            var answers = JArray.Parse(frame.Raw);
            Assert.Equal(Calls, answers.Count);
            Assert.All(answers, a => Assert.Equal("held", (string?)a["result"]?["content"]?[0]?["text"]));
            Assert.InRange(Volatile.Read(ref mostAtOnce), 1, limit);
            output.WriteLine($"at most {mostAtOnce} of {Calls} calls ran at once (limit {limit})");
            (await client.PingAsync()).EnsureSuccess();
        });
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen)
        {
            var was = Interlocked.CompareExchange(ref target, value, seen);
            if (was == seen) return;
            seen = was;
        }
    }
}
