using System.Net;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Tests.Support;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Robustness.Hostile;

/// <summary>
/// Hostile 2026-07-28 requests beside the canary (issue 30, item 5): routing headers that disagree with the body, a
/// <c>requestState</c> tampered with or replayed for another request, and floods of <c>inputResponses</c>. Each is
/// answered as README's Outcomes says (400 with -32020; -32602 naming what is wrong), the tool behind them runs only
/// for requests that are whole and honest, and the canary loses nothing.
/// </summary>
[Collection(HostileCollection.Name)]
public sealed class ModernEraProbes(ITestOutputHelper output)
{
    private const string Version = "2026-07-28";

    private int _completed;

    /// <summary>A tool that asks its client one question (an input round in 2026) and counts the calls it completes.</summary>
    private Task<TestServer> StartAsync() => TestServer.StartAsync(mcp => mcp.Tool("ask", async (args, ctx) =>
    {
        var answer = await ctx.Client.ElicitAsync(ElicitParams.Form("Your answer?",
            JObject.Parse("""{"type":"object","properties":{"answer":{"type":"string"}},"required":["answer"]}""")), "answer", ctx.CancellationToken);
        Interlocked.Increment(ref _completed);
        return CallToolResult.Text($"{args["topic"]}: {answer.Content?["answer"]}");
    }));

    [Fact]
    public async Task RoutingHeadersThatDisagreeWithTheBody_Are32020With400_AndNothingRuns()
    {
        await using var server = await StartAsync();
        await Probe.BesideCanaryAsync(server, output, async () =>
        {
            using var http = new HttpClient();
            (string? Version, string? Method, string? Name)[] lies =
            [
                ("2025-11-25", "tools/call", "ask"), (null, "tools/call", "ask"), (Version, "tools/list", "ask"),
                (Version, null, "ask"), (Version, "tools/call", "echo"), (Version, "tools/call", null), (Version, "tools/call", "=?base64?!!!?="),
            ];
            for (var round = 0; round < 30; round++)
            {
                foreach (var (version, method, name) in lies)
                {
                    var (status, answer) = await PostAsync(http, server.McpHttpUri, Call(new JObject { ["topic"] = "t" }), version, method, name);
                    Assert.Equal(HttpStatusCode.BadRequest, status);
                    Assert.Equal(-32020, (int)answer["error"]!["code"]!);
                }
            }
            Assert.Equal(0, Volatile.Read(ref _completed));
        });
    }

    [Fact]
    public async Task TamperedAndReplayedRequestState_IsRefusedWith32602_AndOnlyTheHonestRetryCompletes()
    {
        await using var server = await StartAsync();
        await Probe.BesideCanaryAsync(server, output, async () =>
        {
            using var http = new HttpClient();
            var first = await RoundAsync(http, server.McpHttpUri, Call(new JObject { ["topic"] = "t" }));
            Assert.Equal("input_required", (string?)first["result"]!["resultType"]);
            var state = (string)first["result"]!["requestState"]!;
            var answer = new JObject { ["answer"] = JObject.Parse("""{"action":"accept","content":{"answer":"42"}}""") };

            // One character of the state changed, at 200 places across it: each fails its integrity check. The last
            // character of each Base64url part is left alone: some of its bits may be unused, so a change there can decode
            // to the same bytes.
            var random = new Random(30);
            var dot = state.IndexOf('.');
            for (var i = 0; i < 200; i++)
            {
                int at;
                do at = random.Next(state.Length - 1);
                while (at == dot - 1);
                var tampered = state[..at] + (state[at] == 'A' ? 'B' : 'A') + state[(at + 1)..];
                var refused = await RoundAsync(http, server.McpHttpUri, Call(new JObject { ["topic"] = "t" }, answer, tampered));
                Assert.Equal(-32602, (int)refused["error"]!["code"]!);
            }
            // Replayed for another request (other arguments, another tool): refused, bound to the request it was issued for.
            var otherArguments = await RoundAsync(http, server.McpHttpUri, Call(new JObject { ["topic"] = "other" }, answer, state));
            Assert.Contains("another request", (string?)otherArguments["error"]!["message"], StringComparison.Ordinal);
            var otherTool = await RoundAsync(http, server.McpHttpUri, Call(new JObject { ["text"] = "t" }, answer, state, tool: "echo"));
            Assert.Contains("another request", (string?)otherTool["error"]!["message"], StringComparison.Ordinal);
            Assert.Equal(0, Volatile.Read(ref _completed));

            // Replayed for its own request: the retry is stateless by design, so each replay within the state's lifetime
            // (ClientRequestTimeout) runs the tool again with the same answers, and gets the same result.
            for (var i = 0; i < 20; i++)
            {
                var done = await RoundAsync(http, server.McpHttpUri, Call(new JObject { ["topic"] = "t" }, answer, state));
                Assert.Equal("t: 42", (string?)done["result"]!["content"]![0]!["text"]);
            }
            Assert.Equal(20, Volatile.Read(ref _completed));
        });
    }

    [Fact]
    public async Task FloodsOfInputResponses_AreRefusedOrIgnored_WithinTheMessageLimit()
    {
        await using var server = await StartAsync();
        await Probe.BesideCanaryAsync(server, output, async () =>
        {
            using var http = new HttpClient();
            var state = (string)(await RoundAsync(http, server.McpHttpUri, Call(new JObject { ["topic"] = "t" })))["result"]!["requestState"]!;
            var flood = new JObject();
            for (var i = 0; i < 50_000; i++) flood[$"k{i}"] = new JObject { ["action"] = "accept" };

            // With the state: answers to questions it never asked are refused, and the refusal names one.
            for (var i = 0; i < 5; i++)
            {
                var refused = await RoundAsync(http, server.McpHttpUri, Call(new JObject { ["topic"] = "t" }, flood, state));
                Assert.Equal(-32602, (int)refused["error"]!["code"]!);
                Assert.Contains("did not ask for", (string?)refused["error"]!["message"], StringComparison.Ordinal);
            }
            // Without one: the client's own input, like its arguments; what no question uses is ignored, and the tool asks again.
            for (var i = 0; i < 5; i++)
            {
                var asked = await RoundAsync(http, server.McpHttpUri, Call(new JObject { ["topic"] = "t" }, flood));
                Assert.Equal("input_required", (string?)asked["result"]!["resultType"]);
            }
            // Past MaxMessageBytes the flood is not read at all.
            var tooMany = new JObject();
            for (var i = 0; i < 200_000; i++) tooMany[$"key-{i}"] = new JObject { ["action"] = "accept" };
            var (status, _) = await PostAsync(http, server.McpHttpUri, Call(new JObject { ["topic"] = "t" }, tooMany, state), Version, "tools/call", "ask");
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
            Assert.Equal(0, Volatile.Read(ref _completed));
        });
    }

    private static JObject Call(JObject arguments, JObject? inputResponses = null, string? requestState = null, string tool = "ask")
    {
        var @params = new JObject
        {
            ["name"] = tool,
            ["arguments"] = arguments,
            ["_meta"] = new JObject
            {
                ["io.modelcontextprotocol/protocolVersion"] = Version,
                ["io.modelcontextprotocol/clientCapabilities"] = new JObject { ["elicitation"] = new JObject() },
                ["io.modelcontextprotocol/clientInfo"] = new JObject { ["name"] = "hostile", ["version"] = "1" },
            },
        };
        if (inputResponses is not null) @params["inputResponses"] = inputResponses;
        if (requestState is not null) @params["requestState"] = requestState;
        return new JObject { ["jsonrpc"] = "2.0", ["id"] = 1, ["method"] = "tools/call", ["params"] = @params };
    }

    /// <summary>A call whose headers agree with its body, answered 200.</summary>
    private static async Task<JObject> RoundAsync(HttpClient http, Uri uri, JObject body)
    {
        var (status, answer) = await PostAsync(http, uri, body, Version, "tools/call", (string)body["params"]!["name"]!);
        Assert.Equal(HttpStatusCode.OK, status);
        return answer;
    }

    private static async Task<(HttpStatusCode Status, JObject Answer)> PostAsync(HttpClient http, Uri uri, JObject body, string? version, string? method, string? name)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new StringContent(body.ToString(Formatting.None), System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (version is not null) request.Headers.Add("MCP-Protocol-Version", version);
        if (method is not null) request.Headers.Add("Mcp-Method", method);
        if (name is not null) request.Headers.TryAddWithoutValidation("Mcp-Name", name);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (response.Content.Headers.ContentType?.MediaType == "text/event-stream")
            text = text.Split('\n').Last(l => l.StartsWith("data:", StringComparison.Ordinal))["data:".Length..].Trim();
        return (response.StatusCode, text.Length > 0 && text[0] == '{' ? JObject.Parse(text) : new JObject());
    }
}
