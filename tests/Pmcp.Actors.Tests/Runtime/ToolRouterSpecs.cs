using Akka.Actor;
using Akka.TestKit.Xunit2;
using Microsoft.Extensions.Logging.Abstractions;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Runtime;
using Pmcp.Actors.Cluster;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using Xunit.Abstractions;
using static Pmcp.Actors.Messages.ToolRouterProtocol;

namespace Pmcp.Actors.Tests.Runtime;

public sealed class ToolRouterSpecs : TestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private readonly TestTools _tools = new();
    private readonly IActorRef _router;

    public ToolRouterSpecs(ITestOutputHelper output) : base(output: output)
    {
        var definition = _tools.AddTo(new McpServerBuilder()).Build();
        _router = Sys.ActorOf(ToolRouterActor.Props(definition, new McpServerOptions { ToolsPageSize = 3 }, NullLoggerFactory.Instance), "pmcp-tools");
    }

    private static CallTool Call(long callId, string tool, string args = "{}") =>
        new(new CallKey(1, callId), new RequestId(callId), tool, args, WantsProgress: false);

    [Fact]
    public async Task Call_RunsTool_AndAnswersWithResultJson()
    {
        _router.Tell(Call(1, "echo", "{\"text\":\"hello\"}"));
        var done = await ExpectMsgAsync<CallAnswered>(Wait);
        Assert.Equal(1, done.CallId);
        Assert.Equal("hello", (string)done.Result()["content"]![0]!["text"]!);
    }

    [Fact]
    public async Task Call_UnknownTool_FailsWithInvalidParams()
    {
        _router.Tell(Call(1, "missing"));
        var failed = await ExpectMsgAsync<CallAnswered>(Wait);
        Assert.Equal(JsonRpcErrorCodes.InvalidParams, failed.ErrorCode());
    }

    [Fact]
    public async Task Call_ToolThatThrows_IsErrorResult_AndRouterKeepsServing()
    {
        _router.Tell(Call(1, "throw"));
        var done = await ExpectMsgAsync<CallAnswered>(Wait);
        Assert.True((bool)done.Result()["isError"]!);

        _router.Tell(Call(2, "echo", "{\"text\":\"again\"}"));
        Assert.Equal(2, (await ExpectMsgAsync<CallAnswered>(Wait)).CallId);
    }

    [Fact]
    public async Task Cancel_CancelsTheToolsToken()
    {
        _router.Tell(Call(1, "block"));
        await AwaitConditionAsync(() => Task.FromResult(Volatile.Read(ref _tools.Started) == 1), Wait);
        _router.Tell(new CancelCall(new CallKey(1, 1)));
        await _tools.Cancelled.Task.WaitAsync(Wait);
        var done = await ExpectMsgAsync<CallAnswered>(Wait);
        Assert.Contains("cancelled", (string)done.Result()["content"]![0]!["text"]!);
    }

    [Fact]
    public async Task GatewayCall_WhoseDispatcherTerminates_IsStoppedWithoutAnAnswer()
    {
        // A gateway's dispatcher (a probe here) runs two calls on this node for a session (another probe).
        var dispatcher = CreateTestProbe();
        var session = CreateTestProbe();
        _router.Tell(new ClusterProtocol.RemoteCallTool(Call(1, "block"), session.Ref), dispatcher.Ref);
        _router.Tell(new ClusterProtocol.RemoteCallTool(Call(2, "block"), session.Ref), dispatcher.Ref);
        await AwaitConditionAsync(() => Task.FromResult(Volatile.Read(ref _tools.Started) == 2), Wait);

        // The gateway goes (its node crashed, or this node downed it): its calls' tokens are cancelled, the workers end,
        // and nothing is sent to the session, which the gateway has already answered or lost.
        Sys.Stop(dispatcher.Ref);
        await _tools.Cancelled.Task.WaitAsync(Wait);
        await AwaitAssertAsync(async () => Assert.Equal(0, (await _router.Ask<WorkerCount>(GetWorkerCount.Instance, Wait)).Count), Wait);
        await session.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task GatewayCall_CancelledByItsDispatcher_AnswersCancelled_AndEnds()
    {
        var dispatcher = CreateTestProbe();
        var session = CreateTestProbe();
        _router.Tell(new ClusterProtocol.RemoteCallTool(Call(1, "block"), session.Ref), dispatcher.Ref);
        await AwaitConditionAsync(() => Task.FromResult(Volatile.Read(ref _tools.Started) == 1), Wait);

        _router.Tell(new ClusterProtocol.RemoteCancel(new CallKey(1, 1)), dispatcher.Ref);
        var done = await session.ExpectMsgAsync<CallAnswered>(Wait);
        Assert.Contains("cancelled", (string)done.Result()["content"]![0]!["text"]!);
        Assert.Equal(new CallKey(1, 1), (await dispatcher.ExpectMsgAsync<ClusterProtocol.CallEnded>(Wait)).Key);
    }

    [Fact]
    public async Task Cancel_OfFinishedCall_IsIgnored()
    {
        _router.Tell(Call(1, "echo", "{\"text\":\"x\"}"));
        await ExpectMsgAsync<CallAnswered>(Wait);
        _router.Tell(new CancelCall(new CallKey(1, 1)));
        _router.Tell(Call(2, "echo", "{\"text\":\"y\"}"));
        Assert.Equal(2, (await ExpectMsgAsync<CallAnswered>(Wait)).CallId);
    }

    [Fact]
    public async Task WorkerFault_AnswersInternalError_AndNextCallWorks()
    {
        _router.Tell(Call(1, "block"));
        await AwaitConditionAsync(() => Task.FromResult(Volatile.Read(ref _tools.Started) == 1), Wait);
        Sys.ActorSelection(_router.Path / "worker-1-1").Tell(Kill.Instance);
        var failed = await ExpectMsgAsync<CallAnswered>(Wait);
        Assert.Equal(JsonRpcErrorCodes.InternalError, failed.ErrorCode());
        await _tools.Cancelled.Task.WaitAsync(Wait);

        _router.Tell(Call(2, "echo", "{\"text\":\"fine\"}"));
        Assert.Equal(2, (await ExpectMsgAsync<CallAnswered>(Wait)).CallId);
    }

    [Fact]
    public async Task Workers_StopWhenTheirCallEnds()
    {
        _router.Tell(Call(1, "echo", "{\"text\":\"x\"}"));
        await ExpectMsgAsync<CallAnswered>(Wait);
        await AwaitAssertAsync(async () =>
        {
            var identity = await Sys.ActorSelection(_router.Path / "worker-1-1").Ask<ActorIdentity>(new Identify(1), Wait);
            Assert.Null(identity.Subject);
        }, Wait);
    }

    [Fact]
    public async Task ListTools_PagesFollowRegistrationOrder()
    {
        _router.Tell(new ListItems(new RequestId(1), "tools/list", null));
        var first = JObject.Parse((await ExpectMsgAsync<ToolsListed>(Wait)).ResultJson);
        Assert.Equal(["echo", "throw", "block"], first["tools"]!.Select(t => (string)t["name"]!));
        _router.Tell(new ListItems(new RequestId(2), "tools/list", (string)first["nextCursor"]!));
        var second = JObject.Parse((await ExpectMsgAsync<ToolsListed>(Wait)).ResultJson);
        Assert.Equal(["progress", "null"], second["tools"]!.Select(t => (string)t["name"]!));
        Assert.Null(second["nextCursor"]);
    }

    [Fact]
    public async Task ListTools_BadCursor_FailsWithInvalidParams()
    {
        _router.Tell(new ListItems(new RequestId(1), "tools/list", "%%%"));
        Assert.Equal(JsonRpcErrorCodes.InvalidParams, (await ExpectMsgAsync<ListFailed>(Wait)).Code);
    }
}
