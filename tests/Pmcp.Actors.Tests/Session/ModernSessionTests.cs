using Newtonsoft.Json.Linq;
using Pmcp.Actors.Session;
using Pmcp.Actors.Tests.Era2026;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using static Pmcp.Actors.Messages.ConnectionProtocol;
using static Pmcp.Actors.Messages.ToolRouterProtocol;

namespace Pmcp.Actors.Tests.Session;

/// <summary>The session core in the 2026-07-28 era, on its own: which era a first message selects, and what each request's _meta decides.</summary>
public sealed class ModernSessionTests
{
    private readonly FakeSessionHost _host = new();
    private readonly RecordingCallRunner _runner = new();

    private McpSession Start(McpServerOptions? options = null) =>
        new(new McpServerBuilder().Tool("echo", (_, _) => Task.FromResult(CallToolResult.Text("x"))).Build(),
            options ?? new McpServerOptions { ServeStatelessEra = true }, _host, _runner, connectionId: 3, caller: null);

    private static string Request(object id, string method, JObject? @params) =>
        new JObject { ["jsonrpc"] = "2.0", ["id"] = JToken.FromObject(id), ["method"] = method, ["params"] = @params }.ToString();

    [Fact]
    public void AFirstRequestWithModernMeta_SelectsThe2026Era_WithoutAHandshake()
    {
        var session = Start();
        session.Receive(Request(1, "tools/list", ModernRequests.Params()));

        Assert.Equal("2026-07-28", session.ProtocolVersion);
        Assert.Equal(SessionPhase.Operating, session.Phase);
        Assert.True(_host.HandshakeIsDone);
        Assert.Equal("tools/list", Assert.Single(_host.ListRequests).Method);
    }

    [Fact]
    public void AFirstRequestWithoutModernMeta_StaysIn2025_WhereInitializeIsNeeded()
    {
        var session = Start();
        session.Receive(Request(1, "tools/list", null));

        Assert.Null(session.ProtocolVersion);
        Assert.Equal(JsonRpcErrorCodes.InvalidRequest, (int)_host.Last["error"]!["code"]!);
    }

    [Fact]
    public void ListResults_GetResultTypeAndCachingHints_FromTheOptions()
    {
        var session = Start(new McpServerOptions { ServeStatelessEra = true, CacheTtl = TimeSpan.FromSeconds(30), CacheResultsPublicly = true });
        session.Receive(Request(1, "tools/list", ModernRequests.Params()));
        session.Listed(new RequestId(1), """{"tools":[]}""");

        var result = (JObject)_host.Last["result"]!;
        Assert.Equal("complete", (string?)result["resultType"]);
        Assert.Equal(30_000, (long)result["ttlMs"]!);
        Assert.Equal("public", (string?)result["cacheScope"]);
    }

    [Fact]
    public void AToolAskingForACapabilityItsRequestDidNotDeclare_IsRefused_AndIfItFailsTheRequestIs32021()
    {
        var session = Start();
        session.Receive(Request(4, "tools/call", ModernRequests.Params(new JObject { ["name"] = "echo" }, ModernRequests.Meta(new JObject { ["sampling"] = new JObject() }))));
        session.Receive(Request(5, "tools/call", ModernRequests.Params(new JObject { ["name"] = "echo" })));

        // The first request declared sampling, the second did not: only the second is refused.
        session.SendClientRequest(new ClientRequest("k4", McpMethods.SamplingCreateMessage, "{}", new RequestId(4), "sampling-1"), "asker4");
        session.SendClientRequest(new ClientRequest("k5", McpMethods.SamplingCreateMessage, "{}", new RequestId(5), "sampling-1"), "asker5");
        session.Answered(new CallAnswered(_runner.Started[1].Key.CallId, JsonRpcWriter.Result(new RequestId(5), CallToolResult.Error("no sampling"))));
        session.Answered(new CallAnswered(_runner.Started[0].Key.CallId, JsonRpcWriter.Result(new RequestId(4), CallToolResult.Error("stopped"))));

        Assert.IsType<ClientInputRequired>(_host.AskerAnswers.Single(a => (string)a.Asker == "asker4").Answer);
        Assert.Equal(ClientRequestFailure.NotSupported, Assert.IsType<ClientRequestFailed>(_host.AskerAnswers.Single(a => (string)a.Asker == "asker5").Answer).Failure);
        var refused = _host.Sent.Single(m => (int)m.Json["id"]! == 5);
        Assert.Equal(-32021, (int)refused.Json["error"]!["code"]!);
        Assert.Equal(new JObject(), refused.Json["error"]!["data"]!["requiredCapabilities"]!["sampling"]);
        var asked = _host.Sent.Single(m => (int)m.Json["id"]! == 4);
        Assert.Equal("input_required", (string?)asked.Json["result"]!["resultType"]);
        Assert.Equal("sampling/createMessage", (string?)asked.Json["result"]!["inputRequests"]!["sampling-1"]!["method"]);
    }

    [Fact]
    public void LogMessages_FollowTheLevelOfTheRequestTheyBelongTo()
    {
        var session = Start();
        session.Receive(Request(1, "tools/call", ModernRequests.Params(new JObject { ["name"] = "echo" }, ModernRequests.Meta(logLevel: "warning"))));
        session.Receive(Request(2, "tools/call", ModernRequests.Params(new JObject { ["name"] = "echo" })));

        session.Log(new ClientLog("info", null, "\"quiet\"", new RequestId(1)));
        session.Log(new ClientLog("error", null, "\"loud\"", new RequestId(1)));
        session.Log(new ClientLog("error", null, "\"unasked\"", new RequestId(2)));
        session.Log(new ClientLog("error", null, "\"nobody's\""));

        var logged = Assert.Single(_host.Sent);
        Assert.Equal("loud", (string?)logged.Json["params"]!["data"]);
    }
}
