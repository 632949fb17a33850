using Akka.Actor;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Runtime;
using Pmcp.Actors.Server;
using Pmcp.Actors.Tests.Support;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Loopback;

/// <summary>
/// One set of loopback tests run over both transports of the same endpoint (<c>MapMcp</c>): a WebSocket session and a
/// Streamable HTTP session must see the same tools, resources, prompts, errors, progress and cancellation.
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
    public async Task ToolsList_ListsTheDemoTools(McpTransport transport)
    {
        await using var server = await StartAsync();
        await using var session = await TransportSession.ConnectAsync(server, transport);

        var listed = (await session.RequestAsync("tools/list")).EnsureSuccess();

        var names = ((JArray)listed.Result!["tools"]!).Select(t => (string)t["name"]!).ToArray();
        Assert.Equal(["echo", "add", "sleep", "stats", "ask-model", "ask-user", "block"], names);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task ToolsCall_ReturnsTheToolsResult(McpTransport transport)
    {
        await using var server = await StartAsync();
        await using var session = await TransportSession.ConnectAsync(server, transport);

        var sum = await session.RequestAsync("tools/call", Call("add", new JObject { ["a"] = 0.1, ["b"] = 0.2 }));
        var stats = await session.RequestAsync("tools/call", Call("stats", new JObject { ["numbers"] = new JArray(1, 2, 3) }));

        Assert.Equal("0.3", sum.ToolText());
        Assert.Equal(2.0, (double)stats.EnsureSuccess().Result!["structuredContent"]!["mean"]!);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task ToolsCall_AnswersIsErrorOrJsonRpcError_AsTheOutcomesTableSays(McpTransport transport)
    {
        await using var server = await StartAsync();
        await using var session = await TransportSession.ConnectAsync(server, transport);

        var badArgument = await session.RequestAsync("tools/call", Call("echo", new JObject()));
        var unknownTool = await session.RequestAsync("tools/call", Call("no-such-tool", new JObject()));
        var unknownMethod = await session.RequestAsync("no/such-method");

        Assert.True(badArgument.IsToolError);
        Assert.Contains("text", badArgument.FirstText, StringComparison.Ordinal);
        Assert.Equal(-32602, unknownTool.ErrorCode);
        Assert.Equal(-32601, unknownMethod.ErrorCode);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task ResourcesAndTemplates_ListAndRead(McpTransport transport)
    {
        await using var server = await StartAsync();
        await using var session = await TransportSession.ConnectAsync(server, transport);

        var resources = (await session.RequestAsync("resources/list")).EnsureSuccess();
        var templates = (await session.RequestAsync("resources/templates/list")).EnsureSuccess();
        var square = (await session.RequestAsync("resources/read", new JObject { ["uri"] = "demo://squares/12" })).EnsureSuccess();
        var missing = await session.RequestAsync("resources/read", new JObject { ["uri"] = "demo://nothing-here" });

        Assert.Equal("demo://readme", (string?)resources.Result!["resources"]![0]!["uri"]);
        Assert.Equal("demo://squares/{n}", (string?)templates.Result!["resourceTemplates"]![0]!["uriTemplate"]);
        Assert.Equal("12 squared is 144", (string?)square.Result!["contents"]![0]!["text"]);
        Assert.Equal(-32002, missing.ErrorCode);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Prompts_ListGetAndComplete(McpTransport transport)
    {
        await using var server = await StartAsync();
        await using var session = await TransportSession.ConnectAsync(server, transport);

        var prompts = (await session.RequestAsync("prompts/list")).EnsureSuccess();
        var prompt = (await session.RequestAsync("prompts/get", new JObject { ["name"] = "summarize", ["arguments"] = new JObject { ["topic"] = "actors" } })).EnsureSuccess();
        var missingArgument = await session.RequestAsync("prompts/get", new JObject { ["name"] = "summarize" });
        var completion = (await session.RequestAsync("completion/complete", new JObject
        {
            ["ref"] = new JObject { ["type"] = "ref/prompt", ["name"] = "summarize" },
            ["argument"] = new JObject { ["name"] = "style", ["value"] = "b" },
        })).EnsureSuccess();

        Assert.Equal("summarize", (string?)prompts.Result!["prompts"]![0]!["name"]);
        Assert.Contains("actors", (string?)prompt.Result!["messages"]![0]!["content"]!["text"], StringComparison.Ordinal);
        Assert.Equal(-32602, missingArgument.ErrorCode);
        Assert.Equal(["brief", "bullet-points"], completion.Result!["completion"]!["values"]!.Select(v => (string)v!).ToArray());
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
        await Eventually.TrueAsync(async () =>
            (await router.Ask<ToolRouterProtocol.WorkerCount>(ToolRouterProtocol.GetWorkerCount.Instance, Deadline.Default)).Count == 0,
            "the cancelled call's worker to stop");
        (await session.RequestAsync("ping")).EnsureSuccess();

        if (transport == McpTransport.StreamableHttp)
            Assert.Null(await response.Within(Deadline.Default, "the cancelled call's stream to end")); // ended without a response
        else
            Assert.False(response.IsCompleted, "a cancelled call must not be answered");
    }

    private static JObject Call(string name, JObject arguments) => new() { ["name"] = name, ["arguments"] = arguments };
}
