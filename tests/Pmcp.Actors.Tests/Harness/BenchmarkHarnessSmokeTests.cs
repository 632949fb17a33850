using System.Text.Json;
using Pmcp.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Harness;

/// <summary>
/// A smoke run of the benchmark harness (tests/Pmcp.Actors.Benchmarks, issue 29): each server it measures is started as
/// the harness starts it, and the harness's own load generator runs against it for a second, one call in flight, over
/// the transport of its table. The full benchmark is never run in the suite; this checks that every server of the
/// WebSocket and HTTP tables still starts, answers the load generator's calls, and answers them right (the load
/// generator counts a wrong echo as an error).
/// </summary>
public sealed class BenchmarkHarnessSmokeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan LoadTimeout = TimeSpan.FromSeconds(90);

    [Theory]
    // "ws": the WebSocket table.
    [InlineData("pmcp", "ws")]
    [InlineData("baseline", "ws")]
    [InlineData("actor-hop-baseline", "ws")]
    [InlineData("pmcp", "2025-11-25")]
    [InlineData("http-baseline", "2025-11-25")]
    [InlineData("sdk-stateful", "2025-11-25")]
    [InlineData("sdk-stateless", "2025-11-25")]
    // The era of the harness's 2026-07-28 rows: the SDK's answers show its requests are well formed, ours and the thin
    // HTTP baseline are measured in it.
    [InlineData("sdk-stateless", "2026-07-28")]
    [InlineData("pmcp-stateless-era", "2026-07-28")]
    [InlineData("http-baseline", "2026-07-28")]
    public async Task LoadGenerator_GetsRightAnswers_FromEachServerOfEachTable(string server, string era)
    {
        var scheme = era == "ws" ? "ws" : "http";
        using var process = server switch
        {
            "pmcp" => new DotnetProcess(Loopback.ServerProcessTests.ServerProcess.StandaloneDll, ["--port", "0", "--Pmcp:Telemetry:MetricsPort=0"]),
            // As the harness starts it for its 2026-07-28 row.
            "pmcp-stateless-era" => new DotnetProcess(Loopback.ServerProcessTests.ServerProcess.StandaloneDll,
                ["--port", "0", "--Pmcp:Telemetry:MetricsPort=0", "--Pmcp:Server:ServeStatelessEra=true"]),
            "baseline" => new DotnetProcess(DotnetProcess.BenchmarksDll, ["serve-baseline", "--port", "0"]),
            "actor-hop-baseline" => new DotnetProcess(DotnetProcess.BenchmarksDll, ["serve-actor-hop-baseline", "--port", "0"]),
            "http-baseline" => new DotnetProcess(DotnetProcess.BenchmarksDll, ["serve-http-baseline", "--port", "0"]),
            "sdk-stateful" => new DotnetProcess(DotnetProcess.BenchmarksDll, ["serve-sdk", "--port", "0", "--stateful"]),
            _ => new DotnetProcess(DotnetProcess.BenchmarksDll, ["serve-sdk", "--port", "0"]),
        };
        DotnetProcess? loadgen = null;
        try
        {
            var listening = await process.WaitForLineAsync(l => l.StartsWith($"listening on {scheme}://", StringComparison.Ordinal))
                .Within(StartTimeout, $"{server}'s 'listening on {scheme}://' line");
            var url = listening["listening on ".Length..].Trim();

            string[] shape = ["--connections", "1", "--inflight", "1", "--seconds", "1", "--warmup", "0"];
            loadgen = new DotnetProcess(DotnetProcess.BenchmarksDll,
                era == "ws" ? ["loadgen", "--url", url, "--transport", "ws", .. shape] : ["loadgen", "--url", url, "--transport", "http", "--era", era, .. shape]);
            var line = await loadgen.WaitForLineAsync(l => l.StartsWith('{')).Within(LoadTimeout, "the load generator's JSON line");
            using var result = JsonDocument.Parse(line);
            var root = result.RootElement;
            Assert.False(root.TryGetProperty("failure", out var failure), $"the load generator failed: {failure}");
            // Calls answered over the whole run: a cold server's first answer may come after the one-second window.
            Assert.True(root.GetProperty("totalCalls").GetInt64() > 0, $"no call was answered: {line}");
            Assert.Equal(0, root.GetProperty("errors").GetInt64());
        }
        finally
        {
            if (loadgen is not null)
            {
                output.WriteLine(loadgen.Output);
                loadgen.Dispose();
            }
            output.WriteLine(process.Output);
        }
    }

    /// <summary>
    /// The thin HTTP baseline's 2026-07-28 row is a ceiling only if it does the revision's per-request checks: a request
    /// whose <c>Mcp-Name</c> disagrees with its body is refused (400, -32020), one that agrees is answered as complete.
    /// </summary>
    [Fact]
    public async Task ThinHttpBaseline_ChecksStatelessRequestsHeadersAgainstTheirBody()
    {
        using var process = new DotnetProcess(DotnetProcess.BenchmarksDll, ["serve-http-baseline", "--port", "0"]);
        try
        {
            var listening = await process.WaitForLineAsync(l => l.StartsWith("listening on http://", StringComparison.Ordinal))
                .Within(StartTimeout, "the thin HTTP baseline's 'listening on' line");
            var url = new Uri(listening["listening on ".Length..].Trim());
            using var http = new HttpClient();

            using var agreeing = await http.SendAsync(StatelessEcho(url, routedName: "echo"));
            Assert.Equal(System.Net.HttpStatusCode.OK, agreeing.StatusCode);
            using (var answer = JsonDocument.Parse(await agreeing.Content.ReadAsStringAsync()))
            {
                var result = answer.RootElement.GetProperty("result");
                Assert.Equal("complete", result.GetProperty("resultType").GetString());
                Assert.Equal("hi", result.GetProperty("content")[0].GetProperty("text").GetString());
            }

            using var mismatched = await http.SendAsync(StatelessEcho(url, routedName: "other"));
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, mismatched.StatusCode);
            using var refusal = JsonDocument.Parse(await mismatched.Content.ReadAsStringAsync());
            Assert.Equal(-32020, refusal.RootElement.GetProperty("error").GetProperty("code").GetInt32());
        }
        finally
        {
            output.WriteLine(process.Output);
        }
    }

    private static HttpRequestMessage StatelessEcho(Uri url, string routedName)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(
                """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"t","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}}}}""",
                System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("MCP-Protocol-Version", "2026-07-28");
        request.Headers.Add("Mcp-Method", "tools/call");
        request.Headers.Add("Mcp-Name", routedName);
        return request;
    }
}
