using System.Net;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Server;
using Pmcp.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Era2026;

/// <summary>
/// 2026-07-28 over Streamable HTTP, on real sockets: stateless POSTs (no Mcp-Session-Id, no initialize), the routing
/// headers checked against the body, and each refusal with the status README's Outcomes gives it.
/// </summary>
public sealed class ModernHttpTests(ITestOutputHelper output)
{
    private Task<TestServer> StartAsync() => TestServer.StartAsync(configureOptions: o => o.ServeStatelessEra = true, output: output);

    private static HttpRequestMessage Post(McpHttpTestClient client, int id, string method, JObject @params, string? versionHeader = ModernRequests.Version, string? methodHeader = null, string? nameHeader = null) =>
        ModernHttp.Post(client, id, method, @params, versionHeader, methodHeader, nameHeader);

    private static Task<(HttpStatusCode Status, JObject Body, HttpResponseMessage Response)> SendAsync(McpHttpTestClient client, HttpRequestMessage request) =>
        ModernHttp.SendAsync(client, request);

    [Fact]
    public async Task Discover_IsAnsweredWithoutASession_NamingTheVersionsCapabilitiesAndServer()
    {
        await using var server = await StartAsync();
        await using var client = new McpHttpTestClient(server.McpHttpUri);

        var (status, body, response) = await SendAsync(client, Post(client, 1, "server/discover", ModernRequests.Params()));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(response.Headers.Contains("Mcp-Session-Id"));
        var result = (JObject)body["result"]!;
        Assert.Equal(["2026-07-28"], result["supportedVersions"]!.Values<string>());
        Assert.NotNull(result["capabilities"]!["tools"]);
        Assert.Equal("test", (string?)result["_meta"]!["io.modelcontextprotocol/serverInfo"]!["name"]);
        Assert.Equal("complete", (string?)result["resultType"]);
    }

    [Fact]
    public async Task ToolCall_RunsStatelessly_AndEveryResultSaysItIsComplete()
    {
        await using var server = await StartAsync();
        await using var client = new McpHttpTestClient(server.McpHttpUri);

        var call = ModernRequests.Params(new JObject { ["name"] = "echo", ["arguments"] = new JObject { ["text"] = "hi" } });
        var (status, body, _) = await SendAsync(client, Post(client, 7, "tools/call", call, nameHeader: "echo"));
        var (_, list, _) = await SendAsync(client, Post(client, 8, "tools/list", ModernRequests.Params()));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(7, (int)body["id"]!);
        Assert.Equal("hi", (string?)body["result"]!["content"]![0]!["text"]);
        Assert.Equal("complete", (string?)body["result"]!["resultType"]);
        Assert.Equal("complete", (string?)list["result"]!["resultType"]);
        Assert.Equal(0, (long)list["result"]!["ttlMs"]!);
        Assert.Equal("private", (string?)list["result"]!["cacheScope"]);
        Assert.Contains(list["result"]!["tools"]!, t => (string?)t["name"] == "echo");
    }

    [Fact]
    public async Task UnknownVersion_Is32022With400_NamingSupportedAndRequested()
    {
        await using var server = await StartAsync();
        await using var client = new McpHttpTestClient(server.McpHttpUri);

        var (status, body, _) = await SendAsync(client, Post(client, 3, "server/discover", ModernRequests.Params(meta: ModernRequests.Meta(version: "2099-01-01")), versionHeader: "2099-01-01"));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(-32022, (int)body["error"]!["code"]!);
        Assert.Equal(["2026-07-28"], body["error"]!["data"]!["supported"]!.Values<string>());
        Assert.Equal("2099-01-01", (string?)body["error"]!["data"]!["requested"]);
        Assert.Equal(3, (int)body["id"]!);
    }

    [Theory]
    [InlineData("2025-11-25", null, null)]   // MCP-Protocol-Version other than _meta's
    [InlineData(null, null, null)]           // MCP-Protocol-Version absent
    [InlineData("2026-07-28", "tools/list", null)] // Mcp-Method other than the body's
    [InlineData("2026-07-28", null, "other")]      // Mcp-Name other than the tool called
    public async Task RoutingHeaderThatDisagreesWithTheBody_Is32020With400(string? version, string? method, string? name)
    {
        await using var server = await StartAsync();
        await using var client = new McpHttpTestClient(server.McpHttpUri);

        var call = ModernRequests.Params(new JObject { ["name"] = "echo", ["arguments"] = new JObject { ["text"] = "hi" } });
        var (status, body, _) = await SendAsync(client, Post(client, 4, "tools/call", call, version, method, name ?? "echo"));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(-32020, (int)body["error"]!["code"]!);
    }

    [Theory]
    [InlineData("initialize")]
    [InlineData("ping")]
    [InlineData("logging/setLevel")]
    [InlineData("resources/subscribe")]
    [InlineData("no/such/method")]
    public async Task MethodsThe2026EraRemoved_AreMethodNotFoundWith404(string method)
    {
        await using var server = await StartAsync();
        await using var client = new McpHttpTestClient(server.McpHttpUri);

        var (status, body, _) = await SendAsync(client, Post(client, 5, method, ModernRequests.Params()));

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal(-32601, (int)body["error"]!["code"]!);
        Assert.Equal(5, (int)body["id"]!);
    }

    [Fact]
    public async Task MissingClientCapabilities_IsInvalidParamsWith400()
    {
        await using var server = await StartAsync();
        await using var client = new McpHttpTestClient(server.McpHttpUri);
        var meta = ModernRequests.Meta();
        meta.Remove("io.modelcontextprotocol/clientCapabilities");

        var (status, body, _) = await SendAsync(client, Post(client, 6, "server/discover", ModernRequests.Params(meta: meta)));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(-32602, (int)body["error"]!["code"]!);
    }

    [Fact]
    public async Task ToolAskingForSamplingTheRequestDidNotDeclare_Is32021With400()
    {
        await using var server = await TestServer.StartAsync(configureServer: mcp => mcp.AddDemoFeatures(), configureOptions: o => o.ServeStatelessEra = true, output: output);
        await using var client = new McpHttpTestClient(server.McpHttpUri);

        var call = ModernRequests.Params(new JObject { ["name"] = "ask-model", ["arguments"] = new JObject { ["question"] = "why?" } });
        var (status, body, _) = await SendAsync(client, Post(client, 9, "tools/call", call, nameHeader: "ask-model"));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(-32021, (int)body["error"]!["code"]!);
        Assert.Equal(new JObject(), body["error"]!["data"]!["requiredCapabilities"]!["sampling"]);
    }

    [Fact]
    public async Task ResourceNotFound_IsInvalidParamsNamingTheUri_WhereA2025ClientGets32002()
    {
        await using var server = await TestServer.StartAsync(configureServer: mcp => mcp.AddDemoFeatures(), configureOptions: o => o.ServeStatelessEra = true, output: output);
        await using var modern = new McpHttpTestClient(server.McpHttpUri);
        await using var legacy = await McpHttpTestClient.ConnectAsync(server.McpHttpUri);

        var read = ModernRequests.Params(new JObject { ["uri"] = "demo://nothing-here" });
        var (status, body, _) = await SendAsync(modern, Post(modern, 10, "resources/read", read, nameHeader: "demo://nothing-here"));
        var old = await legacy.RequestAsync("resources/read", new JObject { ["uri"] = "demo://nothing-here" });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(-32602, (int)body["error"]!["code"]!);
        Assert.Equal("demo://nothing-here", (string?)body["error"]!["data"]!["uri"]);
        Assert.Equal(-32002, old.ErrorCode);
    }

    [Fact]
    public async Task ToolResults_SayTheyAreComplete_Once_WhetherTheToolAnsweredOrFailed()
    {
        await using var server = await StartAsync();
        await using var client = new McpHttpTestClient(server.McpHttpUri);

        // echo answers with its own result; a call with a missing argument is answered with an isError result instead.
        foreach (var (id, arguments) in new[] { (1, new JObject { ["text"] = "hi" }), (2, new JObject()) })
        {
            using var response = await client.SendAsync(Post(client, id, "tools/call",
                ModernRequests.Params(new JObject { ["name"] = "echo", ["arguments"] = arguments }), nameHeader: "echo"));
            var text = await response.Content.ReadAsStringAsync();

            // Counted in the text: a reader keeps only the last of a repeated member, so a parsed body would hide a second one.
            Assert.Equal(1, text.Split("\"resultType\":\"complete\"").Length - 1);
            Assert.Equal(id == 2, text.Contains("\"isError\":true", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task LegacyClients_StillGetSessions_BesideModernRequests()
    {
        await using var server = await StartAsync();
        await using var legacy = await McpHttpTestClient.ConnectAsync(server.McpHttpUri);
        await using var modern = new McpHttpTestClient(server.McpHttpUri);

        var (status, _, _) = await SendAsync(modern, Post(modern, 1, "tools/list", ModernRequests.Params()));
        var listed = await legacy.RequestAsync("tools/list");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotNull(legacy.SessionId);
        Assert.Null(listed.Result!["resultType"]); // 2025 results are as they were
    }
}
