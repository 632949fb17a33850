using Akka.Actor;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Messages;
using Pmcp.Actors.Runtime;
using Pmcp.Actors.Tests.Support;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Robustness;

/// <summary>Runs alone: it reads the process's managed heap, which parallel tests would move.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ChaosCollection
{
    public const string Name = "chaos";
}

[Collection(ChaosCollection.Name)]
public sealed class ChaosTests(ITestOutputHelper output)
{
    private const int Rounds = 3;
    private const int ClientsPerRound = 20;

    // Allowance for what a server legitimately keeps after its first sessions: pooled buffers, Akka's dispatcher and
    // scheduler structures. Leaked actors are caught exactly by the counts; this catches what they would not, such as
    // a socket's buffers or a session's queue kept alive (each is 4 KiB or more, 60 sessions over the rounds).
    // Seen here: +160 to +360 KiB after three rounds.
    private const long HeapAllowanceBytes = 2 * 1024 * 1024;

    [Fact]
    public async Task Server_ReturnsToItsStartingActorCountAndMemory_AfterClientsAbortAndToolsHangThrowOrAreCancelled()
    {
        await using var server = await TestServer.StartAsync(
            mcp => mcp
                .Tool(new McpToolDefinition("hang", McpToolDefinition.EmptyInputSchema(), async (_, ctx) =>
                {
                    await Task.Delay(Timeout.Infinite, ctx.CancellationToken);
                    return CallToolResult.Text("never");
                })
                { Timeout = TimeSpan.FromMilliseconds(300) })
                .Tool("throw", (_, _) => throw new InvalidOperationException("chaos"))
                .Tool("wait", async (_, ctx) =>
                {
                    await Task.Delay(Timeout.Infinite, ctx.CancellationToken);
                    return CallToolResult.Text("never");
                }),
            output: output);

        // Warm up every path once, so the baseline includes what the first session builds for good (JIT, pools).
        await RoundAsync(server, clients: 4);
        await AwaitIdleAsync(server);
        var baseline = Heap();
        output.WriteLine($"baseline heap {baseline / 1024} KiB");

        for (var round = 1; round <= Rounds; round++)
        {
            await RoundAsync(server, ClientsPerRound);
            await AwaitIdleAsync(server);
            output.WriteLine($"after round {round}: heap {Heap() / 1024} KiB");
        }

        var after = Heap();
        Assert.True(after - baseline < HeapAllowanceBytes, $"heap grew from {baseline / 1024} KiB to {after / 1024} KiB");

        // And the server still serves.
        await using var client = await server.ConnectAsync();
        Assert.Equal("still here", (await client.CallToolAsync("echo", new { text = "still here" })).ToolText());
    }

    /// <summary>Each client starts a hanging, a throwing and a waiting call, cancels some, and half abort the TCP connection mid-call.</summary>
    private static async Task RoundAsync(TestServer server, int clients)
    {
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async i =>
        {
            var client = await server.ConnectAsync();
            var hang = await client.StartToolCallAsync("hang");
            var thrown = await client.StartToolCallAsync("throw");
            var wait = await client.StartToolCallAsync("wait");
            Assert.True((await thrown.ResponseAsync()).IsToolError);
            var aborts = i % 2 == 0;
            if (!aborts || i % 3 == 0)
            {
                // A cancelled call gets no response; the invariant knows, since the client says so. A client that
                // closes normally cancels first: the invariant wants every request on an open socket answered.
                await client.NotifyAsync("notifications/cancelled", new JObject { ["requestId"] = wait.Id });
            }

            Assert.Contains("timed out", (await hang.ResponseAsync()).FirstText);
            if (aborts)
            {
                client.Abort(); // the TCP connection goes away with the wait call still running
            }

            await client.DisposeAsync();
        }));
    }

    private static async Task AwaitIdleAsync(TestServer server)
    {
        var system = server.ActorSystem;
        McpServerProtocol.Stats? stats = null;
        ToolRouterProtocol.WorkerCount? workers = null;
        await Deadline.UntilAsync(async () =>
        {
            stats = await system.ActorSelection("/user/pmcp").Ask<McpServerProtocol.Stats>(McpServerProtocol.GetStats.Instance, Deadline.Default);
            workers = await system.ActorSelection("/user/pmcp-tools").Ask<ToolRouterProtocol.WorkerCount>(ToolRouterProtocol.GetWorkerCount.Instance, Deadline.Default);
            return stats.Connections == 0 && workers.Count == 0;
        }, () => $"still {stats?.Connections} connection actors and {workers?.Count} calls running after the clients left", TimeSpan.FromSeconds(20));
    }

    private static long Heap()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
