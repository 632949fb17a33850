using Newtonsoft.Json.Linq;
using Pmcp.Actors.Security;
using Pmcp.Actors.Session;
using Pmcp.Actors.Tests.Era2026;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using static Pmcp.Actors.Messages.ConnectionProtocol;
using static Pmcp.Actors.Messages.ToolRouterProtocol;

namespace Pmcp.Actors.Tests.Session;

/// <summary>
/// A session renewed for the next request of a pooled 2026-07-28 host (<see cref="McpSession.Renew"/>, issue 29) must
/// be, to its next request, the session a new one would be: nothing of the request it served before shows.
/// </summary>
public sealed class SessionRenewalTests
{
    private readonly FakeSessionHost _host = new();
    private readonly RecordingCallRunner _runner = new();

    private McpSession Start(CallerIdentity? caller = null) =>
        new(new McpServerBuilder().Tool("echo", (_, _) => Task.FromResult(CallToolResult.Text("x"))).Build(),
            new McpServerOptions { ServeStatelessEra = true }, _host, _runner, connectionId: 3, caller: caller);

    private static string Call(int id, JObject? meta = null) =>
        new JObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = "tools/call", ["params"] = ModernRequests.Params(new JObject { ["name"] = "echo" }, meta) }.ToString();

    /// <summary>Serves request 1 (which asks for debug logs) to its answer and ends it clean, as the host does before renewing.</summary>
    private McpSession ServedOneRequest(CallerIdentity? caller = null)
    {
        var session = Start(caller);
        session.Receive(Call(1, ModernRequests.Meta(new JObject { ["sampling"] = new JObject() }, logLevel: "debug")));
        session.Answered(new CallAnswered(_runner.Started[0].Key.CallId, JsonRpcWriter.Result(new RequestId(1), CallToolResult.Text("first"))));
        session.TransportClosed();
        session.Stopped();
        return session;
    }

    [Fact]
    public void RenewedSession_IsBackBeforeAnyEra_AsANewSessionIs()
    {
        var session = ServedOneRequest();

        session.Renew(connectionId: 4, caller: null);
        // A 2025-era request is refused as by a new session: the 2026 era of the last request is forgotten.
        session.Receive(new JObject { ["jsonrpc"] = "2.0", ["id"] = 2, ["method"] = "tools/list" }.ToString());

        Assert.Null(session.ProtocolVersion);
        Assert.Equal(SessionPhase.AwaitingInitialize, session.Phase);
        Assert.False(session.ClientInitialized);
        Assert.Equal(ClientCapabilityFlags.None, session.ClientCapabilities);
        Assert.Equal(JsonRpcErrorCodes.InvalidRequest, (int)_host.Last["error"]!["code"]!);
    }

    [Fact]
    public void RenewedSession_ServesTheSameIdAgain_UnderItsNewConnectionId_WithOnlyWhatTheNewRequestDeclared()
    {
        var session = ServedOneRequest();
        var sentBefore = _host.Sent.Count;

        session.Renew(connectionId: 4, caller: null);
        session.Receive(Call(1)); // the same id, no log level, no sampling
        session.Log(new ClientLog("error", null, "\"unasked\"", new RequestId(1)));
        session.SendClientRequest(new ClientRequest("k1", McpMethods.SamplingCreateMessage, "{}", new RequestId(1), "sampling-1"), "asker");
        session.Answered(new CallAnswered(_runner.Started[1].Key.CallId, JsonRpcWriter.Result(new RequestId(1), CallToolResult.Text("second"))));

        Assert.Equal(new CallKey(4, 1), _runner.Started[1].Key);
        Assert.Equal(ClientRequestFailure.NotSupported, Assert.IsType<ClientRequestFailed>(Assert.Single(_host.AskerAnswers).Answer).Failure);
        var answer = Assert.Single(_host.Sent.Skip(sentBefore)).Json; // no log message: the new request asked for none
        Assert.Equal("second", (string?)answer["result"]!["content"]![0]!["text"]);
        Assert.Equal("complete", (string?)answer["result"]!["resultType"]);
    }

    [Fact]
    public void RenewedSession_HasTheNextRequestsCaller()
    {
        var first = new CallerIdentity("Bearer", [new CallerClaim(System.Security.Claims.ClaimTypes.Name, "alice")]);
        var second = new CallerIdentity("Bearer", [new CallerClaim(System.Security.Claims.ClaimTypes.Name, "bob")]);
        var session = ServedOneRequest(first);

        session.Renew(connectionId: 4, caller: second);

        Assert.Same(second, session.Caller);
    }
}
