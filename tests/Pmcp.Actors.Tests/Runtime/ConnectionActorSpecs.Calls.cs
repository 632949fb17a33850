using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Messages;
using Pmcp.Protocol;

namespace Pmcp.Actors.Tests.Runtime;

/// <summary>The connection's calls of user code: listing and calling tools, cancellation, progress and the in-flight limit.</summary>
public abstract partial class ConnectionActorSpecsBase
{
    [Fact]
    public async Task ToolsList_IsPaginated_ByCursor()
    {
        await InitializeAsync();
        var names = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            Request(pages, "tools/list", cursor is null ? new { } : new { cursor });
            var result = await ResultAsync(pages);
            var tools = (JArray)result["tools"]!;
            Assert.True(tools.Count <= 2);
            names.AddRange(tools.Select(t => (string)t["name"]!));
            Assert.All(tools, t => Assert.Equal("object", (string)t["inputSchema"]!["type"]!));
            cursor = (string?)result["nextCursor"];
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(3, pages);
        Assert.Equal(["echo", "throw", "block", "progress", "null"], names);
    }

    [Theory]
    [InlineData("not-a-cursor")]
    [InlineData("cGFnZTo5OQ==")] // "page:99"
    public async Task ToolsList_GetsInvalidParams_ForBadCursor(string cursor)
    {
        await InitializeAsync();
        Request(1, "tools/list", new { cursor });
        await ErrorAsync(1, JsonRpcErrorCodes.InvalidParams);
    }

    [Fact]
    public async Task ToolsCall_ReturnsToolResult()
    {
        await InitializeAsync();
        Request(1, "tools/call", new { name = "echo", arguments = new { text = "hi" } });
        var result = await ResultAsync(1);
        Assert.Equal("text", (string)result["content"]![0]!["type"]!);
        Assert.Equal("hi", (string)result["content"]![0]!["text"]!);
        Assert.Null(result["isError"]);
    }

    [Fact]
    public async Task ToolsCall_UnknownTool_GetsInvalidParams()
    {
        await InitializeAsync();
        Request(1, "tools/call", new { name = "nope" });
        var error = await ErrorAsync(1, JsonRpcErrorCodes.InvalidParams);
        Assert.Contains("nope", (string)error["message"]!);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"name\":5}")]
    [InlineData("{\"name\":\"echo\",\"arguments\":\"text\"}")]
    [InlineData("{\"name\":\"echo\",\"_meta\":{\"progressToken\":[1]}}")]
    public async Task ToolsCall_BadParams_GetInvalidParams(string paramsJson)
    {
        await InitializeAsync();
        Send($"{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{paramsJson}}}");
        await ErrorAsync(1, JsonRpcErrorCodes.InvalidParams);
    }

    [Fact]
    public async Task ToolsCall_ToolThatThrows_IsErrorResult_AndNextCallWorks()
    {
        await InitializeAsync();
        Request(1, "tools/call", new { name = "throw" });
        var result = await ResultAsync(1);
        Assert.True((bool)result["isError"]!);
        Assert.Contains("boom", (string)result["content"]![0]!["text"]!);

        Request(2, "tools/call", new { name = "echo", arguments = new { text = "still here" } });
        Assert.Equal("still here", (string)(await ResultAsync(2))["content"]![0]!["text"]!);
    }

    [Fact]
    public async Task ToolsCall_ToolThatReturnsNull_GetsInternalError()
    {
        await InitializeAsync();
        Request(1, "tools/call", new { name = "null" });
        await ErrorAsync(1, JsonRpcErrorCodes.InternalError);
    }

    [Fact]
    public async Task ToolsCall_DuplicateIdInFlight_GetsInvalidRequest()
    {
        await InitializeAsync();
        Request(1, "tools/call", new { name = "block" });
        Request(1, "tools/call", new { name = "echo", arguments = new { text = "x" } });
        await ErrorAsync(1, JsonRpcErrorCodes.InvalidRequest);
        _tools.Release.SetResult();
        Assert.Equal("released", (string)(await ResultAsync(1))["content"]![0]!["text"]!);
    }

    [Fact]
    public async Task Cancelled_CancelsTheToolsToken_AndNoResponseIsSent()
    {
        await InitializeAsync();
        Request("slow", "tools/call", new { name = "block" });
        await AwaitConditionAsync(() => Task.FromResult(Volatile.Read(ref _tools.Started) == 1), Wait);
        Notify("notifications/cancelled", new { requestId = "slow", reason = "changed my mind" });
        await _tools.Cancelled.Task.WaitAsync(Wait);

        Request("after", "ping");
        await ResultAsync("after");
        await Socket.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task Progress_IsSentForTheToken_OnlyWhenIncreasing()
    {
        await InitializeAsync();
        Request(1, "tools/call", new { name = "progress", _meta = new { progressToken = "tok" } });
        var seen = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            var note = await NextAsync();
            Assert.Equal("notifications/progress", (string)note["method"]!);
            Assert.Equal("tok", (string)note["params"]!["progressToken"]!);
            Assert.Equal(3, (double)note["params"]!["total"]!);
            seen.Add((double)note["params"]!["progress"]!);
        }
        Assert.Equal([1d, 2d, 3d], seen);
        await ResultAsync(1);
    }

    [Fact]
    public async Task Progress_IsNotSent_WithoutToken()
    {
        await InitializeAsync();
        Request(1, "tools/call", new { name = "progress" });
        await ResultAsync(1);
    }

    [Fact]
    public async Task RunningCall_IsCountedAsAWorker_UntilItEnds()
    {
        await InitializeAsync();
        Request(1, "tools/call", new { name = "block" });
        await AwaitAssertAsync(async () => Assert.Equal(1, (await _router.Ask<ToolRouterProtocol.WorkerCount>(ToolRouterProtocol.GetWorkerCount.Instance, Wait)).Count), Wait);
        _tools.Release.SetResult();
        await ResultAsync(1);
        await AwaitAssertAsync(async () => Assert.Equal(0, (await _router.Ask<ToolRouterProtocol.WorkerCount>(ToolRouterProtocol.GetWorkerCount.Instance, Wait)).Count), Wait);
    }

    [Fact]
    public async Task InFlightLimit_PausesReading_UntilACallFinishes()
    {
        await InitializeAsync();
        Request(1, "tools/call", new { name = "block" });
        Request(2, "tools/call", new { name = "block" });
        await Socket.ExpectMsgAsync<ProbeOutlet.Paused>(Wait);
        _tools.Release.SetResult();
        var answered = new HashSet<long>();
        var resumed = false;
        while (answered.Count < 2)
        {
            var m = await Socket.ExpectMsgAsync<object>(Wait);
            if (m is ProbeOutlet.Sent s) answered.Add((long)JObject.Parse(s.Json)["id"]!);
            else if (m is ProbeOutlet.Resumed) resumed = true;
        }
        Assert.True(resumed);
    }

    [Fact]
    public async Task InFlightLimit_HoldsBackCallsReadAhead_AndRunsThemLater()
    {
        await InitializeAsync();
        for (var i = 1; i <= 4; i++) Request(i, "tools/call", new { name = "block" });
        Request(9, "ping");
        // Calls past the limit wait; other requests do not.
        var ping = await Socket.FishForMessageAsync<ProbeOutlet.Sent>(m => m is ProbeOutlet.Sent s && s.Json.Contains("\"id\":9"), Wait);
        Assert.Contains("result", ping.Json);
        // By the ping's answer all four calls were read: two run, two are held back.
        await AwaitConditionAsync(() => Task.FromResult(Volatile.Read(ref _tools.Started) >= 2), Wait);
        Assert.Equal(2, Volatile.Read(ref _tools.Started));

        _tools.Release.SetResult();
        var answered = new HashSet<long>();
        while (answered.Count < 4)
        {
            if (await Socket.ExpectMsgAsync<object>(Wait) is ProbeOutlet.Sent { Json: var json } && JObject.Parse(json)["result"] is not null)
                answered.Add((long)JObject.Parse(json)["id"]!);
        }
        Assert.Equal(4, Volatile.Read(ref _tools.Started));
    }
}
