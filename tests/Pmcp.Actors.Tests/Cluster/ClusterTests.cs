using Akka.Actor;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Cluster;
using Pmcp.Actors.Hosting;
using Pmcp.Actors.Messages;
using Pmcp.Actors.Tests.Support;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Cluster;

/// <summary>A gateway and two tools nodes in this process, WebSocket clients on the gateway over loopback.</summary>
public sealed class ClusterTests(ITestOutputHelper output)
{
    private static readonly TimeSpan AnswerDeadline = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How often the list change is made again until every session has heard of one: not a wait for the outcome (the
    /// sessions' notifications are awaited with deadlines) but a retry of the action, because the pub/sub topic's
    /// subscriptions reach a new node by gossip and a mediator only counts its own node's subscribers.
    /// </summary>
    private static readonly TimeSpan ResendInterval = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Gateway_SpreadsCallsOverBothToolNodes_AndListChangedReachesEverySession()
    {
        await using var nodes = await ClusterNodes.StartAsync(toolNodes: 2, output);
        var clients = new List<McpTestClient>();
        try
        {
            for (var i = 0; i < 3; i++) clients.Add(await nodes.Gateway.ConnectAsync());

            // 3 sessions x 12 calls in flight: the gateway runs none of them itself.
            var calls = new List<PendingRequest>();
            await StartWhereCallsAsync(clients, 12, ms: 100, calls);
            var answers = await Task.WhenAll(calls.Select(c => c.ResponseAsync(AnswerDeadline)));
            var ranOn = answers.Select(a => a.ToolText()).ToList();
            Assert.Equal(["tools-1", "tools-2"], ranOn.Distinct().Order());
            output.WriteLine($"tools-1 ran {ranOn.Count(n => n == "tools-1")}, tools-2 ran {ranOn.Count(n => n == "tools-2")}");

            // Progress and log messages of a worker on another node reach the session (a fresh one: the calls above logged too).
            clients.Add(await nodes.Gateway.ConnectAsync());
            var withProgress = await clients[^1].StartToolCallAsync("where", new { ms = 10 }, progressToken: "p-1");
            var answer = await withProgress.ResponseAsync(AnswerDeadline);
            var notes = new[] { await clients[^1].ReadNotificationAsync(AnswerDeadline), await clients[^1].ReadNotificationAsync(AnswerDeadline) };
            var progress = Assert.Single(notes, n => n.Method == "notifications/progress");
            Assert.Equal("p-1", (string?)progress.Params!["progressToken"]);
            Assert.Equal("done on " + answer.ToolText(), (string?)progress.Params["message"]);
            var log = Assert.Single(notes, n => n.Method == "notifications/message");
            Assert.Equal("ran on " + answer.ToolText(), (string?)log.Params!["data"]);

            // A tool added on a tools node: every session on the gateway hears of it through DistributedPubSub. The topic's
            // subscribers spread by gossip, so the change is made again each second until every session has heard of one.
            var runtime = nodes.Tools[0].App.Services.GetRequiredService<McpServerRuntime>();
            using var heard = new CancellationTokenSource();
            var changing = Task.Run(async () =>
            {
                while (!heard.IsCancellationRequested)
                {
                    await runtime.AddToolAsync(new McpToolDefinition("late", McpToolDefinition.EmptyInputSchema(), (_, _) => Task.FromResult(CallToolResult.Text("late"))));
                    await Task.Delay(ResendInterval, heard.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                }
            });
            foreach (var client in clients)
            {
                // Skipping the log messages of the calls above.
                WireMessage note;
                do note = await client.ReadNotificationAsync(AnswerDeadline);
                while (note.Method == "notifications/message");
                Assert.Equal("notifications/tools/list_changed", note.Method);
            }
            await heard.CancelAsync();
            await changing;

            foreach (var client in clients) await client.AssertEachRequestAnsweredOnceAsync(AnswerDeadline);
            await nodes.AwaitCallsInFlightAsync();

            // Cancellation reaches the worker on the tools node: a two-minute call ends (the gateway hears its worker end).
            var slow = await clients[0].StartToolCallAsync("where", new { ms = 120_000 });
            await nodes.AwaitCallsInFlightAsync(1);
            await clients[0].NotifyAsync("notifications/cancelled", new JObject { ["requestId"] = slow.Id });
            await nodes.AwaitCallsInFlightAsync(0);

            // The tool's own timeout runs on the tools node: an isError result, as on one machine.
            var late = await clients[0].CallToolAsync("where-briefly", new { ms = 120_000 }, AnswerDeadline);
            Assert.True(late.IsToolError, late.Raw);
            Assert.Contains("timed out", late.FirstText, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var client in clients) await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task NodeWithBothRoles_RunsCallsItselfAndOnTheToolsNode_AndForgetsEachWhenItEnds()
    {
        await using var nodes = await ClusterNodes.StartAsync(toolNodes: 1, output, McpNodeRole.Both);
        await using var client = await nodes.Gateway.ConnectAsync();

        var calls = new List<PendingRequest>();
        for (var i = 0; i < 20; i++) calls.Add(await client.StartToolCallAsync("where", new { ms = 100 }));
        var answers = await Task.WhenAll(calls.Select(c => c.ResponseAsync(AnswerDeadline)));

        Assert.Equal(["gateway", "tools-1"], answers.Select(a => a.ToolText()).Distinct().Order());
        await client.AssertEachRequestAnsweredOnceAsync(AnswerDeadline);
        await nodes.AwaitCallsInFlightAsync();
    }

    [Fact]
    public async Task Gateway_AnswersEveryCallOnce_WhenAToolNodeLeavesMidLoad()
    {
        await using var nodes = await ClusterNodes.StartAsync(toolNodes: 2, output);
        var clients = new List<McpTestClient>();
        try
        {
            for (var i = 0; i < 3; i++) clients.Add(await nodes.Gateway.ConnectAsync());

            var calls = new List<PendingRequest>();
            await StartWhereCallsAsync(clients, 15, ms: 300, calls);

            // tools-1 stops while calls run on it; more calls come in while it goes.
            var stopping = nodes.Tools[0].StopAsync();
            await StartWhereCallsAsync(clients, 15, ms: 100, calls);
            await stopping.Within(AnswerDeadline, "tools-1 to stop");

            var answers = await Task.WhenAll(calls.Select(c => c.ResponseAsync(AnswerDeadline)));
            foreach (var a in answers) Assert.True(a.Result is not null, $"not a result: {a}");
            var failed = answers.Where(a => a.IsToolError).ToList();
            output.WriteLine($"{answers.Length} answered, {failed.Count} isError: {string.Join(" | ", failed.Take(5).Select(f => f.FirstText))}");
            Assert.All(answers.Where(a => !a.IsToolError), a => Assert.Contains(a.ToolText(), new[] { "tools-1", "tools-2" }));

            // Afterwards every call goes to the node that is left.
            await nodes.AwaitToolNodesAsync(1);
            var after = await Task.WhenAll(clients.Select(c => c.CallToolAsync("where", new { ms = 10 }, AnswerDeadline)));
            Assert.All(after, a => Assert.Equal("tools-2", a.ToolText()));

            foreach (var client in clients) await client.AssertEachRequestAnsweredOnceAsync(AnswerDeadline);
        }
        finally
        {
            foreach (var client in clients) await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task Gateway_AnswersCallsOfALostToolNodeWithIsError_AndRetriesIdempotentTools()
    {
        await using var nodes = await ClusterNodes.StartAsync(toolNodes: 2, output);
        await using var client = await nodes.Gateway.ConnectAsync();

        // Long calls on both nodes, then tools-1 is downed (what the split brain resolver does to a node that crashed or
        // was cut off); it keeps running, but the gateway no longer hears from it.
        var calls = await LongCallsOnBothNodesAsync(nodes, client);
        var lost = Akka.Cluster.Cluster.Get(nodes.Tools[0].ActorSystem).SelfAddress;
        Akka.Cluster.Cluster.Get(nodes.Gateway.ActorSystem).Down(lost);

        var answers = await AnswersOnceTheLostNodesAreInAsync(nodes, calls);
        var plain = answers.Take(8).ToList();
        var idempotent = answers.Skip(8).ToList();
        output.WriteLine(string.Join(Environment.NewLine, answers.Select(a => a.Raw)));

        // A plain tool's call that ran on the lost node is an isError result; the others ran on tools-2.
        Assert.Contains(plain, a => a.IsToolError && a.FirstText!.Contains(lost.ToString(), StringComparison.Ordinal));
        Assert.All(plain.Where(a => !a.IsToolError), a => Assert.Equal("tools-2", a.ToolText()));
        Assert.Equal(4, plain.Count(a => a.IsToolError));
        // An idempotent tool's calls all complete: those on the lost node were sent again to tools-2 (the lost node, still
        // running, may answer first; the session takes whichever answer comes first).
        Assert.All(idempotent, a => Assert.False(a.IsToolError, a.Raw));
        await client.AssertEachRequestAnsweredOnceAsync(AnswerDeadline);
    }

    [Fact]
    public async Task ToolNodeWhoseActorSystemStops_LeavesItsCallsToTheGateway_NotToA32603()
    {
        await using var nodes = await ClusterNodes.StartAsync(toolNodes: 2, output);
        await using var client = await nodes.Gateway.ConnectAsync();

        var calls = await LongCallsOnBothNodesAsync(nodes, client);

        // Not the host's drain: the ActorSystem itself shuts down (leaves the cluster, then stops every actor) while its
        // workers still run. Their "stopped before it finished" must not reach the client before the gateway's answer.
        var lost = Akka.Cluster.Cluster.Get(nodes.Tools[0].ActorSystem).SelfAddress;
        _ = CoordinatedShutdown.Get(nodes.Tools[0].ActorSystem).Run(CoordinatedShutdown.ClrExitReason.Instance);

        var answers = await AnswersOnceTheLostNodesAreInAsync(nodes, calls);
        output.WriteLine(string.Join(Environment.NewLine, answers.Select(a => a.Raw)));
        Assert.All(answers, a => Assert.Null(a.Error));
        Assert.Equal(4, answers.Take(8).Count(a => a.IsToolError && a.FirstText!.Contains(lost.ToString(), StringComparison.Ordinal)));
        Assert.All(answers.Skip(8), a => Assert.Equal("tools-2", a.ToolText()));
        await client.AssertEachRequestAnsweredOnceAsync(AnswerDeadline);
    }

    /// <summary>
    /// 8 calls of a plain tool, then 8 of an idempotent one, held on their nodes (they never finish on their own), once
    /// half of them run on tools-1. Holding them, rather than giving them a few seconds, keeps tools-1's calls running
    /// until the event under test however long a loaded machine takes to bring it about.
    /// </summary>
    private static async Task<List<PendingRequest>> LongCallsOnBothNodesAsync(ClusterNodes nodes, McpTestClient client)
    {
        var calls = new List<PendingRequest>();
        for (var i = 0; i < 8; i++) calls.Add(await client.StartToolCallAsync("where", new { hold = true }));
        for (var i = 0; i < 8; i++) calls.Add(await client.StartToolCallAsync("where-again", new { hold = true }));
        var router = await nodes.Tools[0].App.Services.GetRequiredService<McpServerRuntime>().ToolRouterAsync();
        await ClusterNodes.Poll(async () => (await router.Ask<global::Pmcp.Actors.Messages.ToolRouterProtocol.WorkerCount>(global::Pmcp.Actors.Messages.ToolRouterProtocol.GetWorkerCount.Instance, TimeSpan.FromSeconds(10))).Count == 8,
            "half the calls to run on tools-1");
        return calls;
    }

    /// <summary>
    /// Once tools-1 is lost, the gateway alone can answer its 4 plain calls (tools-2 holds its own): those answers come
    /// first. Then tools-2 lets its calls finish, the idempotent ones sent to it again included, and every answer is in.
    /// </summary>
    private static async Task<WireMessage[]> AnswersOnceTheLostNodesAreInAsync(ClusterNodes nodes, List<PendingRequest> calls)
    {
        var plain = calls.Take(8).Select(c => c.Response).ToList();
        await Deadline.UntilAsync(() => Task.FromResult(plain.Count(t => t.IsCompleted) >= 4), () => $"{plain.Count(t => t.IsCompleted)} of tools-1's 4 calls answered by the gateway", AnswerDeadline);
        nodes.Release("tools-2");
        return await Task.WhenAll(calls.Select(c => c.ResponseAsync(AnswerDeadline)));
    }

    /// <summary>Starts <paramref name="perClient"/> calls of <c>where</c> (waiting <paramref name="ms"/>) on each session, adding them to <paramref name="calls"/>.</summary>
    private static async Task StartWhereCallsAsync(IEnumerable<McpTestClient> clients, int perClient, int ms, List<PendingRequest> calls)
    {
        foreach (var client in clients)
            for (var i = 0; i < perClient; i++) calls.Add(await client.StartToolCallAsync("where", new { ms }));
    }
}
