using Newtonsoft.Json.Linq;
using Pmcp.Actors.Calls;
using Pmcp.Actors.Session;
using Pmcp.Actors.Tools;
using Pmcp.Actors.Transport;
using Pmcp.Protocol;
using static Pmcp.Actors.Messages.ConnectionProtocol;
using static Pmcp.Actors.Messages.ToolRouterProtocol;

namespace Pmcp.Actors.Tests.Session;

/// <summary>The session core on its own: JSON-RPC text in, effects on a <see cref="FakeSessionHost"/> out; no ActorSystem, no socket.</summary>
public sealed class McpSessionTests
{
    private readonly FakeSessionHost _host = new();
    private readonly RecordingCallRunner _runner = new();

    private McpSession Start(McpServerOptions? options = null, McpServerDefinition? definition = null) =>
        new(definition ?? new McpServerBuilder().Tool("echo", (_, _) => Task.FromResult(CallToolResult.Text("x"))).Build(),
            options ?? new McpServerOptions(), _host, _runner, connectionId: 7, caller: null);

    private static string Request(object id, string method, object? @params = null) =>
        new JObject { ["jsonrpc"] = "2.0", ["id"] = JToken.FromObject(id), ["method"] = method, ["params"] = @params is null ? null : JToken.FromObject(@params) }.ToString();

    private static string Notification(string method, object? @params = null) =>
        new JObject { ["jsonrpc"] = "2.0", ["method"] = method, ["params"] = @params is null ? null : JToken.FromObject(@params) }.ToString();

    private McpSession Initialized(McpServerOptions? options = null, string version = "2025-11-25", object? capabilities = null)
    {
        var session = Start(options);
        session.Receive(Request(0, "initialize", new { protocolVersion = version, capabilities = capabilities ?? new { }, clientInfo = new { name = "t", version = "1" } }));
        session.Receive(Notification("notifications/initialized"));
        _host.Sent.Clear();
        return session;
    }

    private static int ErrorCode(JObject message) => (int)message["error"]!["code"]!;

    [Fact]
    public void BeforeInitialize_PingIsAnswered_AndOtherMethodsAreRefused()
    {
        var session = Start();
        session.Receive(Request(1, "ping"));
        session.Receive(Request(2, "tools/list"));

        Assert.Equal(JObject.Parse("{}"), _host.Sent[0].Json["result"]);
        Assert.Equal(JsonRpcErrorCodes.InvalidRequest, ErrorCode(_host.Sent[1].Json));
        Assert.Contains("send 'initialize' before 'tools/list'", (string)_host.Sent[1].Json["error"]!["message"]!);
        Assert.Empty(_host.ListRequests);
    }

    [Fact]
    public void Initialize_NegotiatesTheVersion_ReadsClientCapabilities_AndEndsTheHandshake()
    {
        var session = Start();
        session.Receive(Request(1, "initialize", new { protocolVersion = "2025-06-18", capabilities = new { sampling = new { }, elicitation = new { } } }));

        Assert.Equal("2025-06-18", (string)_host.Last["result"]!["protocolVersion"]!);
        Assert.Equal(SessionPhase.Operating, session.Phase);
        Assert.True(_host.HandshakeIsDone);
        Assert.Equal(ClientCapabilityFlags.Sampling | ClientCapabilityFlags.Elicitation | ClientCapabilityFlags.ElicitationForm, session.ClientCapabilities);
        Assert.True(_host.Sent[^1].Final);

        session.Receive(Request(2, "initialize", new { protocolVersion = "2025-06-18" }));
        Assert.Equal(JsonRpcErrorCodes.InvalidRequest, ErrorCode(_host.Last));
    }

    [Fact]
    public void MethodOfAFeatureTheServerDidNotAnnounce_IsMethodNotFound()
    {
        var session = Initialized();
        session.Receive(Request(1, "resources/list"));
        session.Receive(Request(2, "no/such/method"));

        Assert.Equal(JsonRpcErrorCodes.MethodNotFound, ErrorCode(_host.Sent[0].Json));
        Assert.Equal(JsonRpcErrorCodes.MethodNotFound, ErrorCode(_host.Sent[1].Json));
        Assert.Empty(_host.ListRequests);
    }

    [Fact]
    public void ToolCall_GoesToTheRunner_AndItsAnswerIsTheResponse()
    {
        var session = Initialized();
        session.Receive(Request("a", "tools/call", new { name = "echo", arguments = new { text = "hi" } }));

        var (key, id, what) = Assert.Single(_runner.Started);
        Assert.Equal(("a", "echo", 7L), (id.ToString().Trim('"'), what, key.ConnectionId));
        Assert.Empty(_host.Sent);

        session.Answered(new CallAnswered(key.CallId, JsonRpcWriter.ResultRaw(id, """{"content":[]}""")));
        var response = Assert.Single(_host.Sent);
        Assert.Equal("a", (string)response.Json["id"]!);
        Assert.True(response.Final);
        Assert.Equal(0, session.Calls.Count);
    }

    [Fact]
    public void RequestIdInUseByACallInFlight_IsRefused()
    {
        var session = Initialized();
        session.Receive(Request(1, "tools/call", new { name = "echo" }));
        session.Receive(Request(1, "tools/call", new { name = "echo" }));

        Assert.Single(_runner.Started);
        Assert.Equal(JsonRpcErrorCodes.InvalidRequest, ErrorCode(_host.Last));
        Assert.Contains("already in use", (string)_host.Last["error"]!["message"]!);
    }

    [Fact]
    public void CancelledByTheClient_CancelsTheCall_AndNoResponseFollows()
    {
        var session = Initialized();
        session.Receive(Request(5, "tools/call", new { name = "echo" }));
        session.Receive(Notification("notifications/cancelled", new { requestId = 5 }));

        var key = Assert.Single(_runner.Cancelled);
        Assert.Equal(new RequestId(5), Assert.Single(_host.CancelledRequests));
        session.Answered(new CallAnswered(key.CallId, JsonRpcWriter.ResultRaw(new RequestId(5), "{}")));
        Assert.Empty(_host.Sent);
    }

    [Fact]
    public void AtTheInFlightLimit_ReadingPauses_AndARequestReadAheadRunsWhenACallEnds()
    {
        var session = Initialized(new McpServerOptions { MaxInFlightCallsPerConnection = 1 });
        session.Receive(Request(1, "tools/call", new { name = "echo" }));
        session.Receive(Request(2, "tools/call", new { name = "echo" }));

        Assert.Equal(1, _host.Pauses);
        Assert.Single(_runner.Started);

        session.Answered(new CallAnswered(_runner.Started[0].Key.CallId, JsonRpcWriter.ResultRaw(new RequestId(1), "{}")));
        Assert.Equal(2, _runner.Started.Count);
        Assert.Equal(new RequestId(2), _runner.Started[1].Id);
        Assert.Equal(1, _host.Resumes);
    }

    [Fact]
    public void Drain_RefusesNewCalls_AndClosesWhenTheLastCallIsAnswered()
    {
        var session = Initialized();
        session.Receive(Request(1, "tools/call", new { name = "echo" }));
        session.Drain();
        session.Receive(Request(2, "tools/call", new { name = "echo" }));

        Assert.Equal(JsonRpcErrorCodes.ServerShuttingDown, ErrorCode(_host.Last));
        Assert.Empty(_host.Closes);

        session.Answered(new CallAnswered(_runner.Started[0].Key.CallId, JsonRpcWriter.ResultRaw(new RequestId(1), "{}")));
        Assert.Equal(new CloseReason(CloseKind.ShuttingDown, "server shutting down"), Assert.Single(_host.Closes));
        Assert.Equal(SessionPhase.Closing, session.Phase);
    }

    [Fact]
    public void Batch_InA20250326Session_IsAnsweredAsOneArray_OnceItsLastCallEnds()
    {
        var session = Initialized(version: "2025-03-26");
        session.Receive("[" + Request(1, "ping") + "," + Request(2, "tools/call", new { name = "echo" }) + "," + Notification("notifications/initialized") + "]");
        Assert.Empty(_host.Sent);

        session.Answered(new CallAnswered(_runner.Started[0].Key.CallId, JsonRpcWriter.ResultRaw(new RequestId(2), "{}")));
        var batch = (JArray)Assert.Single(_host.Sent).Json["batch"]!;
        Assert.Equal([1, 2], batch.Select(r => (int)r["id"]!));
    }

    [Fact]
    public void Batch_CountsAgainstTheInFlightLimit_ItsCallsHeldBackAndRunAsOthersEnd()
    {
        var session = Initialized(new McpServerOptions { MaxInFlightCallsPerConnection = 2 }, version: "2025-03-26");
        session.Receive("[" + string.Join(",", Enumerable.Range(1, 5).Select(i => Request(i, "tools/call", new { name = "echo" }))) + "]");
        Assert.Equal(2, _runner.Started.Count);

        for (var answered = 0; answered < 5; answered++)
        {
            var call = _runner.Started[answered];
            session.Answered(new CallAnswered(call.Key.CallId, JsonRpcWriter.ResultRaw(call.Id, "{}")));
            Assert.Equal(Math.Min(5, answered + 3), _runner.Started.Count); // one more starts as each ends, never more than two running
        }

        var batch = (JArray)Assert.Single(_host.Sent).Json["batch"]!;
        Assert.Equal([1, 2, 3, 4, 5], batch.Select(r => (int)r["id"]!).Order());
    }

    [Fact]
    public void Batch_ElementWithAMemberGivenTwice_IsRefusedAlone_AndTheOthersAreAnswered()
    {
        var session = Initialized(version: "2025-03-26");
        session.Receive("""[{"jsonrpc":"2.0","id":1,"method":"ping","method":"tools/call","params":{"name":"echo"}},{"jsonrpc":"2.0","id":2,"method":"ping"}]""");

        var batch = (JArray)Assert.Single(_host.Sent).Json["batch"]!;
        Assert.Empty(_runner.Started);
        var refused = batch.Single(r => (int)r["id"]! == 1);
        Assert.Equal(JsonRpcErrorCodes.InvalidRequest, (int)refused["error"]!["code"]!);
        Assert.Contains("\"method\" is given more than once", (string)refused["error"]!["message"]!, StringComparison.Ordinal);
        Assert.NotNull(batch.Single(r => (int)r["id"]! == 2)["result"]);
    }

    [Fact]
    public void ClientRequest_GetsAnIdAndADeadline_AndTheClientsAnswerGoesToTheAsker()
    {
        var session = Initialized(capabilities: new { roots = new { } });
        var asker = new object();
        session.SendClientRequest(new ClientRequest("k", McpMethods.RootsList, null), asker);

        var request = _host.Last;
        Assert.Equal(McpMethods.RootsList, (string)request["method"]!);
        var id = (long)request["id"]!;
        Assert.True(_host.Deadlines.ContainsKey(id));

        session.Receive(new JObject { ["jsonrpc"] = "2.0", ["id"] = id, ["result"] = new JObject { ["roots"] = new JArray() } }.ToString());
        var (to, answer) = Assert.Single(_host.AskerAnswers);
        Assert.Same(asker, to);
        Assert.Equal("k", Assert.IsType<ClientRequestCompleted>(answer).Key);
        Assert.Empty(_host.Deadlines);
    }

    [Fact]
    public void ClientRequest_ForACapabilityTheClientLacks_FailsWithoutReachingIt()
    {
        var session = Initialized();
        session.SendClientRequest(new ClientRequest("k", McpMethods.SamplingCreateMessage, "{}"), "asker");

        Assert.Empty(_host.Sent);
        var failed = Assert.IsType<ClientRequestFailed>(Assert.Single(_host.AskerAnswers).Answer);
        Assert.Equal(ClientRequestFailure.NotSupported, failed.Failure);
    }

    [Fact]
    public void OverTheRateLimit_ARequestIsRefused_AndRepeatedViolationsClose()
    {
        var session = Initialized(new McpServerOptions { MaxMessagesPerSecond = 1, MessageBurst = 1, RateLimitViolationsBeforeClose = 2 });
        _host.Now += TimeSpan.FromSeconds(10); // the bucket refills (to its burst of one)
        session.Receive(Request(1, "ping"));
        Assert.Equal(1, (int)_host.Last["id"]!);
        session.Receive(Request(2, "ping"));
        Assert.Equal(JsonRpcErrorCodes.RateLimited, ErrorCode(_host.Last));

        session.Receive(Request(3, "ping"));
        Assert.Equal(CloseKind.PolicyViolation, Assert.Single(_host.Closes).Kind);
    }

    [Fact]
    public void HandshakeTimeout_BeforeInitialize_ClosesAsAPolicyViolation_AndIsIgnoredAfter()
    {
        Start().HandshakeTimedOut();
        Assert.Equal(new CloseReason(CloseKind.PolicyViolation, "initialize not received in time"), Assert.Single(_host.Closes));

        _host.Closes.Clear();
        Initialized().HandshakeTimedOut();
        Assert.Empty(_host.Closes);
    }

    [Fact]
    public void ListChangedBeforeTheClientSaysInitialized_IsToldOnceItDoes()
    {
        var session = Start();
        session.Receive(Request(0, "initialize", new { protocolVersion = "2025-11-25" }));
        session.ListChanged("tools");
        session.ListChanged("tools");
        Assert.Single(_host.Sent);

        session.Receive(Notification("notifications/initialized"));
        Assert.Equal("notifications/tools/list_changed", (string)_host.Last["method"]!);
        Assert.Equal(2, _host.Sent.Count);
    }

    [Fact]
    public void Stopped_WithTheTransportStillOpen_ClosesItAsFailed_AndCancelsCalls()
    {
        var session = Initialized();
        session.Receive(Request(1, "tools/call", new { name = "echo" }));
        session.Stopped();

        Assert.Equal(CloseKind.InternalError, Assert.Single(_host.Closes).Kind);
        Assert.Single(_runner.Cancelled);
    }

    [Fact]
    public void EveryServedRevision_UsesThe2025MethodTable_WhereEachRequestMethodHasAHandler()
    {
        foreach (var version in McpProtocolVersions.Supported)
            Assert.Same(Pmcp.Actors.Session.Era2025.Methods2025.Table, MethodTable.For(version));
        foreach (var method in new[] { "ping", "initialize", "tools/list", "tools/call", "resources/read", "prompts/get", "completion/complete", "logging/setLevel" })
            Assert.NotNull(MethodTable.For(null).Find(method));
    }
}
