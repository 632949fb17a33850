using System.Net;
using Pmcp.Actors.Tests.Support;
using Xunit.Abstractions;
using ServerProcess = Pmcp.Actors.Tests.Loopback.ServerProcessTests.ServerProcess;

namespace Pmcp.Actors.Tests.Loopback;

/// <summary>What an operator scrapes and probes on the standalone server process.</summary>
public sealed class ServerTelemetryTests(ITestOutputHelper output)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly string ServerDll = ServerProcess.StandaloneDll;

    [Fact]
    public async Task Metrics_ShowTheMcpDurationHistograms_AfterACall_OnTheirOwnPort()
    {
        using var server = new ServerProcess(ServerDll, ["--port", "0"]);
        try
        {
            var url = await server.ListeningUrl.Within(StartTimeout, "the server's 'listening on' line");
            var metrics = await server.MetricsUrl.Within(StartTimeout, "the server's 'metrics on' line");
            Assert.NotEqual(url.Port, metrics.Port);
            await using (var client = await McpTestClient.ConnectAsync(url))
            {
                await client.InitializeAsync();
                await client.CallToolAsync("echo", new { text = "measured" });
            }

            using var http = new HttpClient();
            string text = "";
            await Deadline.UntilAsync(async () =>
            {
                text = await http.GetStringAsync(metrics);
                return text.Contains("mcp_server_session_duration_seconds_bucket", StringComparison.Ordinal);
            }, () => "the session's duration in /metrics:\n" + text);
            Assert.Contains("mcp_server_operation_duration_seconds_bucket{", text, StringComparison.Ordinal);
            Assert.Contains("mcp_method_name=\"tools/call\"", text, StringComparison.Ordinal);
            Assert.Contains("gen_ai_tool_name=\"echo\"", text, StringComparison.Ordinal);

            // The metrics port serves metrics only, and the MCP port no metrics.
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri(metrics, "/mcp"))).StatusCode);
            Assert.NotEqual(HttpStatusCode.OK, (await http.GetAsync(new UriBuilder(url) { Scheme = "http", Path = "/metrics" }.Uri)).StatusCode);
        }
        finally
        {
            output.WriteLine(server.Output);
        }
    }

    [Fact]
    public async Task Health_LiveAndReady_OnASingleNode()
    {
        using var server = new ServerProcess(ServerDll, ["--port", "0"]);
        try
        {
            var url = await server.ListeningUrl.Within(StartTimeout, "the server's 'listening on' line");
            using var http = new HttpClient { BaseAddress = new UriBuilder(url) { Scheme = "http", Path = "/" }.Uri };
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz/live")).StatusCode);
            Assert.Equal("Healthy", await http.GetStringAsync("/healthz/ready"));
        }
        finally
        {
            output.WriteLine(server.Output);
        }
    }

    [Fact]
    public async Task TelemetryDisabled_OpensNoMetricsPort()
    {
        using var server = new ServerProcess(ServerDll, ["--port", "0", "--Pmcp:Telemetry:Enabled=false"]);
        try
        {
            // The server prints its metrics line before its listening lines, so by now it would have been read.
            await server.ListeningUrl.Within(StartTimeout, "the server's 'listening on' line");
            Assert.False(server.MetricsUrl.IsCompleted, "a server with telemetry off announced a metrics port");
            Assert.DoesNotContain("metrics on", server.Output, StringComparison.Ordinal);
        }
        finally
        {
            output.WriteLine(server.Output);
        }
    }
}
