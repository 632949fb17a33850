using System.Globalization;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Runtime;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Runtime;

/// <summary>Tool calls run by the connection itself, as on a node that hosts its tools (the default).</summary>
public sealed class ConnectionActorSpecs(ITestOutputHelper output) : ConnectionActorSpecsBase(output, runToolsLocally: true);

/// <summary>The same specs with every call going through the router to a worker actor, as on a gateway node.</summary>
public sealed class ConnectionActorRouterPathSpecs(ITestOutputHelper output) : ConnectionActorSpecsBase(output, runToolsLocally: false);

public abstract partial class ConnectionActorSpecsBase : SessionSpecs
{
    private readonly TestTools _tools = new();
    private readonly bool _runToolsLocally;
    private IActorRef _router = ActorRefs.Nobody;

    protected ConnectionActorSpecsBase(ITestOutputHelper output, bool runToolsLocally) : base(output)
    {
        _runToolsLocally = runToolsLocally;
        Connection = Start(new McpServerOptions { ToolsPageSize = 2, MaxInFlightCallsPerConnection = 2, ProgressInterval = TimeSpan.Zero });
    }

    private IActorRef Start(McpServerOptions options, string instructions = "Use the tools.")
    {
        var definition = _tools.AddTo(new McpServerBuilder().Name("spec-server").Version("9.9.9").Instructions(instructions)).Build();
        (var connection, _router) = SpecConnection.Start(Sys, definition, options, Socket, _runToolsLocally);
        return connection;
    }


    [Fact]
    public async Task Ping_IsAnswered_BeforeInitialize()
    {
        Request("p", "ping");
        Assert.Empty(await ResultAsync("p"));
    }

    [Theory]
    [InlineData("tools/list")]
    [InlineData("tools/call")]
    [InlineData("no/such/method")]
    public async Task Request_IsRefused_BeforeInitialize(string method)
    {
        Request(7, method);
        var error = await ErrorAsync(7, JsonRpcErrorCodes.InvalidRequest);
        Assert.Contains("not initialized", (string)error["message"]!);
    }

    [Theory]
    [InlineData("2025-11-25")]
    [InlineData("2025-06-18")]
    [InlineData("2025-03-26")]
    [InlineData("2024-11-05")]
    public async Task Initialize_EchoesVersion_WhenSupported(string version)
    {
        Request(1, "initialize", new { protocolVersion = version, capabilities = new { }, clientInfo = new { name = "spec", version = "1" } });
        Assert.Equal(version, (string)(await ResultAsync(1))["protocolVersion"]!);
    }

    [Theory]
    [InlineData("2024-10-07")]
    [InlineData("1999-01-01")]
    public async Task Initialize_AnswersLatest_WhenVersionUnsupported(string version)
    {
        Request(1, "initialize", new { protocolVersion = version, capabilities = new { }, clientInfo = new { name = "spec", version = "1" } });
        Assert.Equal("2025-11-25", (string)(await ResultAsync(1))["protocolVersion"]!);
    }

    [Fact]
    public async Task Initialize_Result_CarriesServerInfoCapabilitiesAndInstructions()
    {
        Request(1, "initialize", new { protocolVersion = "2025-11-25", capabilities = new { }, clientInfo = new { name = "spec", version = "1" } });
        var result = await ResultAsync(1);
        Assert.Equal("spec-server", (string)result["serverInfo"]!["name"]!);
        Assert.Equal("9.9.9", (string)result["serverInfo"]!["version"]!);
        Assert.True((bool)result["capabilities"]!["tools"]!["listChanged"]!);
        Assert.Equal("Use the tools.", (string)result["instructions"]!);
    }

    [Fact]
    public async Task Initialize_IsRefused_WhenSentTwice()
    {
        await InitializeAsync();
        Request(2, "initialize", new { protocolVersion = "2025-11-25", capabilities = new { }, clientInfo = new { name = "spec", version = "1" } });
        await ErrorAsync(2, JsonRpcErrorCodes.InvalidRequest);
    }

    [Fact]
    public async Task Initialize_IsInvalidParams_WithoutProtocolVersion()
    {
        Request(1, "initialize", new { capabilities = new { } });
        await ErrorAsync(1, JsonRpcErrorCodes.InvalidParams);
        // The session is still waiting for a valid initialize.
        await InitializeAsync();
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"} trailing")]
    public async Task InvalidJson_GetsParseError_WithNullId_AndSessionContinues(string text)
    {
        await InitializeAsync();
        Send(text);
        await ErrorAsync(null, JsonRpcErrorCodes.ParseError);
        Request(3, "ping");
        await ResultAsync(3);
    }

    [Fact]
    public async Task DeeplyNestedJson_GetsParseError()
    {
        await InitializeAsync();
        Send(new string('[', 10_000) + new string(']', 10_000));
        await ErrorAsync(null, JsonRpcErrorCodes.ParseError);
    }

    [Theory]
    [InlineData("[]", null)]
    [InlineData("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]", null)]
    [InlineData("42", null)]
    [InlineData("{\"id\":5,\"method\":\"ping\"}", 5)]
    [InlineData("{\"jsonrpc\":\"1.0\",\"id\":5,\"method\":\"ping\"}", 5)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":7}", 5)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}", null)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}", null)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}", null)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":99999999999999999999999,\"method\":\"ping\"}", null)]
    [InlineData("{\"jsonrpc\":\"2.0\"}", null)]
    public async Task NotARequest_GetsInvalidRequest(string text, object? id)
    {
        await InitializeAsync();
        Send(text);
        await ErrorAsync(id is null ? null : Convert.ToInt64(id, CultureInfo.InvariantCulture), JsonRpcErrorCodes.InvalidRequest);
    }

    private async Task InitializeLegacyAsync()
    {
        Request(0, "initialize", new { protocolVersion = "2025-03-26", capabilities = new { }, clientInfo = new { name = "spec", version = "1" } });
        Assert.Equal("2025-03-26", (string)(await ResultAsync(0))["protocolVersion"]!);
        Notify("notifications/initialized");
    }

    [Fact]
    public async Task Batch_InA2025_03_26Session_IsAnsweredAsOneArray()
    {
        await InitializeLegacyAsync();
        Send("""
            [{"jsonrpc":"2.0","id":1,"method":"ping"},
             {"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"in a batch"}}},
             {"jsonrpc":"2.0","method":"notifications/unknown"},
             {"foo":1},
             {"jsonrpc":"2.0","id":3,"method":"initialize","params":{"protocolVersion":"2025-03-26"}},
             {"jsonrpc":"2.0","id":4,"method":"no/such"}]
            """);
        var answer = JArray.Parse((await Socket.ExpectMsgAsync<ProbeOutlet.Sent>(Wait)).Json);
        Assert.Equal(5, answer.Count);
        var byId = answer.Where(a => a["id"]!.Type != JTokenType.Null).ToDictionary(a => (int)a["id"]!);
        Assert.Empty((JObject)byId[1]["result"]!);
        Assert.Equal("in a batch", (string)byId[2]["result"]!["content"]![0]!["text"]!);
        Assert.Equal(JsonRpcErrorCodes.InvalidRequest, (int)byId[3]["error"]!["code"]!);
        Assert.Equal(JsonRpcErrorCodes.MethodNotFound, (int)byId[4]["error"]!["code"]!);
        Assert.Equal(JsonRpcErrorCodes.InvalidRequest, (int)answer.Single(a => a["id"]!.Type == JTokenType.Null)["error"]!["code"]!);
    }

    [Fact]
    public async Task Batch_OfNotificationsOnly_GetsNoAnswer_AndEmptyBatchIsInvalid()
    {
        await InitializeLegacyAsync();
        Send("""[{"jsonrpc":"2.0","method":"notifications/a"},{"jsonrpc":"2.0","method":"notifications/b"}]""");
        Send("[]");
        await ErrorAsync(null, JsonRpcErrorCodes.InvalidRequest);
        Send("[{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"ping\"}");
        await ErrorAsync(null, JsonRpcErrorCodes.ParseError);
    }

    [Fact]
    public async Task Batch_WithACancelledCall_IsAnsweredWithoutIt()
    {
        await InitializeLegacyAsync();
        Send("""[{"jsonrpc":"2.0","id":"slow","method":"tools/call","params":{"name":"block"}},{"jsonrpc":"2.0","id":"fast","method":"ping"}]""");
        await AwaitConditionAsync(() => Task.FromResult(Volatile.Read(ref _tools.Started) == 1), Wait);
        Notify("notifications/cancelled", new { requestId = "slow" });
        var answer = JArray.Parse((await Socket.ExpectMsgAsync<ProbeOutlet.Sent>(Wait)).Json);
        Assert.Equal("fast", (string)answer.Single()["id"]!);
    }

    [Fact]
    public async Task UnknownMethod_GetsMethodNotFound()
    {
        await InitializeAsync();
        Request("x", "resources/list");
        await ErrorAsync("x", JsonRpcErrorCodes.MethodNotFound);
    }

    [Fact]
    public async Task Params_ThatAreNotAnObject_GetInvalidParams()
    {
        await InitializeAsync();
        Send("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/list\",\"params\":[1,2]}");
        await ErrorAsync(4, JsonRpcErrorCodes.InvalidParams);
    }

    [Fact]
    public async Task Ids_AreEchoedExactly_NumericAndStringZero()
    {
        await InitializeAsync();
        Send("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"ping\"}");
        Assert.Contains("\"id\":0,", (await Socket.ExpectMsgAsync<ProbeOutlet.Sent>(Wait)).Json);
        Send("{\"jsonrpc\":\"2.0\",\"id\":\"0\",\"method\":\"ping\"}");
        Assert.Contains("\"id\":\"0\",", (await Socket.ExpectMsgAsync<ProbeOutlet.Sent>(Wait)).Json);
        Send("{\"jsonrpc\":\"2.0\",\"id\":9223372036854775807,\"method\":\"ping\"}");
        Assert.Contains("\"id\":9223372036854775807,", (await Socket.ExpectMsgAsync<ProbeOutlet.Sent>(Wait)).Json);
    }

    [Fact]
    public async Task Notifications_AreNeverAnswered()
    {
        await InitializeAsync();
        Notify("notifications/unknown", new { x = 1 });
        Notify("notifications/cancelled", new { requestId = 12345 });
        Notify("tools/list");
        Request(5, "ping");
        // The first thing written after the notifications is the ping's answer.
        await ResultAsync(5);
    }
}
