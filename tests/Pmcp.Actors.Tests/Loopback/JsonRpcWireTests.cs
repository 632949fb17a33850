using Newtonsoft.Json.Linq;
using Pmcp.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Loopback;

public sealed class JsonRpcWireTests(ITestOutputHelper output)
{
    [Fact]
    public async Task InvalidJson_IsAnsweredWithParseErrorAndNullId_AndConnectionStaysOpen()
    {
        await using var server = await TestServer.StartAsync(output: output);
        await using var client = await server.ConnectAsync();

        await client.SendTextAsync("""{"jsonrpc":"2.0","id":5,"method":"ping" """);

        var error = await client.ReadUnmatchedAsync();
        Assert.Equal(-32700, error.ErrorCode);
        Assert.Equal(JTokenType.Null, error.Id?.Type);
        Assert.Contains("\"id\":null", error.Raw, StringComparison.Ordinal);
        Assert.Equal(JTokenType.String, error.Error?["message"]?.Type);

        (await client.PingAsync()).EnsureSuccess();
        Assert.Equal(System.Net.WebSockets.WebSocketState.Open, client.State);
    }

    [Fact]
    public async Task InvalidJson_IsAnsweredWithParseError_BeforeInitialize()
    {
        await using var server = await TestServer.StartAsync(output: output);
        await using var client = await server.ConnectAsync(initialize: false);

        await client.SendTextAsync("not json at all");

        var error = await client.ReadUnmatchedAsync();
        Assert.Equal(-32700, error.ErrorCode);
        Assert.Equal(JTokenType.Null, error.Id?.Type);
        await client.InitializeAsync();
    }

    [Fact]
    public async Task RequestId_IsEchoedWithItsJsonKind_WhenIdsAreNumberZeroAndStringZero()
    {
        await using var server = await TestServer.StartAsync(output: output);
        await using var client = await server.ConnectAsync();
        var numeric = client.ExpectResponse(0);
        var text = client.ExpectResponse("0");

        await client.SendTextAsync("""{"jsonrpc":"2.0","id":0,"method":"ping"}""");
        await client.SendTextAsync("""{"jsonrpc":"2.0","id":"0","method":"tools/call","params":{"name":"echo","arguments":{"text":"string id"}}}""");

        var numericResponse = await numeric.Within(Deadline.Default, "the response to id 0");
        var textResponse = await text.Within(Deadline.Default, "the response to id \"0\"");
        Assert.Equal("""{"jsonrpc":"2.0","id":0,"result":{}}""", numericResponse.Raw);
        Assert.StartsWith("""{"jsonrpc":"2.0","id":"0","result":""", textResponse.Raw, StringComparison.Ordinal);
        Assert.Equal("string id", textResponse.ToolText());
    }

    [Fact]
    public async Task RequestId_IsEchoedExactly_WhenItIsALargeNumberOrUnicodeString()
    {
        await using var server = await TestServer.StartAsync(output: output);
        await using var client = await server.ConnectAsync();
        var big = client.ExpectResponse(9007199254740993L);
        var unicode = client.ExpectResponse("id-ü-\"quoted\"");

        await client.SendTextAsync("""{"jsonrpc":"2.0","id":9007199254740993,"method":"ping"}""");
        await client.SendTextAsync("""{"jsonrpc":"2.0","id":"id-ü-\"quoted\"","method":"ping"}""");

        Assert.Equal("""{"jsonrpc":"2.0","id":9007199254740993,"result":{}}""", (await big.Within(Deadline.Default, "the big id's response")).Raw);
        Assert.Equal("id-ü-\"quoted\"", (string?)(await unicode.Within(Deadline.Default, "the unicode id's response")).Id);
    }

    [Fact]
    public async Task UnknownMethod_IsAnsweredWithMethodNotFound_AndSessionGoesOn()
    {
        await using var server = await TestServer.StartAsync(output: output);
        await using var client = await server.ConnectAsync();

        var response = await client.RequestAsync("resources/list");

        Assert.Equal(-32601, response.ErrorCode);
        Assert.Equal("3", (await client.CallToolAsync("add", new { a = 1, b = 2 })).ToolText());
    }

    [Fact]
    public async Task ToolsList_ListsDemoTools_WhenServerHasThem()
    {
        await using var server = await TestServer.StartAsync(output: output);
        await using var client = await server.ConnectAsync();

        var response = (await client.RequestAsync("tools/list")).EnsureSuccess();

        var names = response.Result!["tools"]!.Select(t => (string)t["name"]!).ToArray();
        Assert.Equal(["echo", "add", "sleep"], names);
        Assert.All(response.Result["tools"]!, t => Assert.Equal("object", (string?)t["inputSchema"]?["type"]));
    }

    [Fact]
    public async Task Initialize_AnswersServerInfoAndNegotiatedVersion_OverTheSocket()
    {
        await using var server = await TestServer.StartAsync(output: output);
        await using var client = await server.ConnectAsync(initialize: false);

        var response = await client.InitializeAsync("2025-06-18");

        Assert.Equal("2025-06-18", (string?)response.Result!["protocolVersion"]);
        Assert.Equal("test", (string?)response.Result["serverInfo"]?["name"]);
        Assert.Equal("1.0.0", (string?)response.Result["serverInfo"]?["version"]);
        Assert.NotNull(response.Result["capabilities"]?["tools"]);
    }

    [Fact]
    public async Task ToolsCall_IsRefusedWithInvalidRequest_BeforeInitialize()
    {
        await using var server = await TestServer.StartAsync(output: output);
        await using var client = await server.ConnectAsync(initialize: false);

        var response = await client.RequestAsync("tools/call", new JObject { ["name"] = "echo", ["arguments"] = new JObject { ["text"] = "x" } });

        Assert.Equal(-32600, response.ErrorCode);
        (await client.PingAsync()).EnsureSuccess();
    }
}
