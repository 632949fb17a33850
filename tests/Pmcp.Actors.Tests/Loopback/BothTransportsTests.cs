using Akka.Actor;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Messages;
using Pmcp.Actors.Runtime;
using Pmcp.Actors.Server;
using Pmcp.Actors.Tests.Support;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Loopback;

/// <summary>
/// Loopback tests on the raw wire of both transports of the same endpoint (<c>MapMcp</c>): a WebSocket session and a
/// Streamable HTTP session must see the same progress and cancellation. The tools, resources, prompts and errors they
/// share are in Pmcp.Actors.TestKit.Tests' ProtocolSurfaceTests, written with the TestKit.
/// </summary>
public sealed class BothTransportsTests(ITestOutputHelper output)
{
    public static TheoryData<McpTransport> Transports { get; } = new() { McpTransport.WebSocket, McpTransport.StreamableHttp };

    private Task<TestServer> StartAsync() => TestServer.StartAsync(configureServer: mcp => mcp.AddDemoFeatures().Tool("block", BlockAsync), output: output);

    /// <summary>Reports progress 0 at once, then waits until it is cancelled.</summary>
    private static async Task<CallToolResult> BlockAsync(JObject args, ToolContext ctx)
    {
        ctx.Progress.Report(0);
        await Task.Delay(Timeout.Infinite, ctx.CancellationToken).ConfigureAwait(false);
        return CallToolResult.Text("not reached");
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Progress_ArrivesBeforeTheResult_AndEndsAtTheTotal(McpTransport transport)
    {
        await using var server = await StartAsync();
        await using var session = await TransportSession.ConnectAsync(server, transport);

        var call = Call("sleep", new JObject { ["ms"] = 400 });
        call["_meta"] = new JObject { ["progressToken"] = "slow" };
        var result = await session.RequestAsync("tools/call", call);

        Assert.Equal("slept 400 ms", result.ToolText());
        var progress = new List<WireMessage>();
        while (progress.Count == 0 || (double)progress[^1].Params!["progress"]! < 400)
        {
            var note = await session.ReadNotificationAsync();
            if (note.Method == "notifications/progress") progress.Add(note);
        }
        Assert.All(progress, p => Assert.Equal("slow", (string?)p.Params!["progressToken"]));
        Assert.All(progress, p => Assert.True(p.Sequence < result.Sequence, "progress must come before the result"));
        Assert.Equal(400.0, (double)progress[^1].Params!["total"]!);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Cancellation_StopsTheCall_AndItIsNeverAnswered(McpTransport transport)
    {
        await using var server = await StartAsync();
        await using var session = await TransportSession.ConnectAsync(server, transport);

        var call = Call("block", new JObject());
        call["_meta"] = new JObject { ["progressToken"] = 7 };
        var (id, response) = await session.StartRequestAsync("tools/call", call);
        Assert.Equal("notifications/progress", (await session.ReadNotificationAsync()).Method); // it runs
        await session.NotifyAsync("notifications/cancelled", new JObject { ["requestId"] = id, ["reason"] = "test" });

        // The worker stops; once it has, its late answer (if any) has reached the session before the ping below.
        var router = server.ActorSystem.ActorSelection("/user/pmcp-tools");
        await Deadline.UntilAsync(async () =>
            (await router.Ask<ToolRouterProtocol.WorkerCount>(ToolRouterProtocol.GetWorkerCount.Instance, Deadline.Default)).Count == 0,
            () => "waiting for the cancelled call's worker to stop");
        (await session.RequestAsync("ping")).EnsureSuccess();

        if (transport == McpTransport.StreamableHttp)
            Assert.Null(await response.Within(Deadline.Default, "the cancelled call's stream to end")); // ended without a response
        else
            Assert.False(response.IsCompleted, "a cancelled call must not be answered");
    }

    private static JObject Call(string name, JObject arguments) => new() { ["name"] = name, ["arguments"] = arguments };
}
