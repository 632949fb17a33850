using System.Net;
using Newtonsoft.Json.Linq;
using Microsoft.Extensions.DependencyInjection;
using Pmcp.Actors.Hosting;
using Pmcp.Actors.Tests.Support;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Era2026;

/// <summary>
/// 2026-07-28 custom headers (SEP-2243) on real sockets: a tool whose input schema marks an argument with
/// <c>x-mcp-header</c> gets it in an <c>Mcp-Param-*</c> header too, and the server refuses a call whose header and body
/// disagree with 400 and -32020 (HeaderMismatch).
/// </summary>
public sealed class ParamHeaderTests(ITestOutputHelper output)
{
    private static readonly JObject RegionSchema = JObject.Parse(
        """{"type":"object","properties":{"region":{"type":"string","x-mcp-header":"Region"},"shard":{"type":"object","properties":{"n":{"type":"integer","x-mcp-header":"Shard"}}}}}""");

    private static void AddRegionTool(McpServerBuilder mcp) => mcp.Tool("where",
        (args, _) => Task.FromResult(CallToolResult.Text($"in {(string?)args["region"]}")), "Names its region.", RegionSchema);

    private Task<TestServer> StartAsync() => TestServer.StartAsync(configureServer: AddRegionTool, output: output);

    private static async Task<(HttpStatusCode Status, JObject Body)> CallAsync(McpHttpTestClient client, JObject arguments, params (string Name, string Value)[] headers)
    {
        var request = ModernHttp.Post(client, 1, "tools/call", ModernRequests.Params(new JObject { ["name"] = "where", ["arguments"] = arguments }), nameHeader: "where");
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        var (status, body, _) = await ModernHttp.SendAsync(client, request);
        return (status, body);
    }

    public static TheoryData<string, string[]> Agreeing() => new()
    {
        { """{"region":"us-west1"}""", ["Mcp-Param-Region", "us-west1"] },
        { """{"region":"Hello, 世界"}""", ["Mcp-Param-Region", "=?base64?SGVsbG8sIOS4lueVjA==?="] },
        { """{"region":"SGVsbG8="}""", ["Mcp-Param-Region", "SGVsbG8="] }, // no sentinel: taken literally
        { """{"region":"eu","shard":{"n":42}}""", ["mcp-param-region", "eu", "Mcp-Param-Shard", "42.0"] }, // names any case; numbers compared as numbers
        { """{}""", [] }, // no value, no header
    };

    [Theory]
    [MemberData(nameof(Agreeing))]
    public async Task ToolCall_WhoseParamHeadersAgreeWithTheBody_Runs(string arguments, string[] headers)
    {
        await using var server = await StartAsync();
        await using var client = new McpHttpTestClient(server.McpHttpUri);

        var (status, body) = await CallAsync(client, JObject.Parse(arguments), Pairs(headers));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Null(body["error"]);
        Assert.StartsWith("in ", (string?)body["result"]!["content"]![0]!["text"]);
    }

    public static TheoryData<string, string[], string> Disagreeing() => new()
    {
        { """{"region":"us-west1"}""", [], "Mcp-Param-Region is missing" },
        { """{"region":"us-west1"}""", ["Mcp-Param-Region", "eu-north1"], "Mcp-Param-Region carries 'eu-north1'" },
        { """{"region":"Hello"}""", ["Mcp-Param-Region", "=?base64?SGVsbG8?="], "is not valid Base64" },
        { """{"region":"Hello"}""", ["Mcp-Param-Region", "=?base64?SGVs!!!bG8=?="], "is not valid Base64" },
        { """{}""", ["Mcp-Param-Region", "us-west1"], "the body has no argument 'region'" },
        { """{"region":"eu","shard":{"n":7}}""", ["Mcp-Param-Region", "eu", "Mcp-Param-Shard", "8"], "Mcp-Param-Shard carries '8'" },
    };

    [Theory]
    [MemberData(nameof(Disagreeing))]
    public async Task ToolCall_WhoseParamHeadersDisagreeWithTheBody_IsRefused400HeaderMismatch(string arguments, string[] headers, string why)
    {
        await using var server = await StartAsync();
        await using var client = new McpHttpTestClient(server.McpHttpUri);

        var (status, body) = await CallAsync(client, JObject.Parse(arguments), Pairs(headers));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(-32020, (int)body["error"]!["code"]!);
        Assert.Contains(why, (string?)body["error"]!["message"]);
    }

    [Fact]
    public async Task ToolAddedAtRunTime_HasItsParamHeadersChecked_UntilItIsRemoved()
    {
        await using var server = await TestServer.StartAsync(output: output);
        await using var client = new McpHttpTestClient(server.McpHttpUri);
        var runtime = server.App.Services.GetRequiredService<McpServerRuntime>();
        await runtime.AddToolAsync(new McpToolDefinition("where", RegionSchema, (args, _) => Task.FromResult(CallToolResult.Text("here"))));

        var (refused, body) = await CallAsync(client, new JObject { ["region"] = "eu" });
        await runtime.RemoveToolAsync("where");
        await runtime.AddToolAsync(new McpToolDefinition("where", new JObject { ["type"] = "object" }, (_, _) => Task.FromResult(CallToolResult.Text("here"))));
        var (accepted, _) = await CallAsync(client, new JObject { ["region"] = "eu" });

        Assert.Equal(HttpStatusCode.BadRequest, refused);
        Assert.Equal(-32020, (int)body["error"]!["code"]!);
        Assert.Equal(HttpStatusCode.OK, accepted); // the new definition marks nothing
    }

    private static (string, string)[] Pairs(string[] flat) => [.. flat.Chunk(2).Select(p => (p[0], p[1]))];
}
