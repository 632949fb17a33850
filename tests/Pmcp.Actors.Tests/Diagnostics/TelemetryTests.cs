using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Diagnostics;
using Pmcp.Actors.Tests.Support;

namespace Pmcp.Actors.Tests.Diagnostics;

/// <summary>
/// What an operator's OpenTelemetry pipeline sees of a running server: the MCP conventions' duration histograms with
/// their attributes, the session and call gauges, and a server span per request that continues the client's trace.
/// </summary>
public sealed class TelemetryTests
{
    [Fact]
    public async Task ToolCall_OverWebSocket_RecordsItsDuration_WithTheConventionsAttributes()
    {
        await using var server = await TestServer.StartAsync();
        using var operations = Collect<double>(server, McpTelemetryNames.OperationDuration);
        await using var client = await server.ConnectAsync();

        await client.CallToolAsync("echo", new { text = "hi" });

        var call = await MeasurementAsync(operations, m => Tag(m, McpTelemetryNames.MethodName) == "tools/call");
        Assert.Equal("echo", Tag(call, McpTelemetryNames.ToolName));
        Assert.Equal("tcp", Tag(call, McpTelemetryNames.NetworkTransport));
        Assert.Equal("websocket", Tag(call, McpTelemetryNames.NetworkProtocolName));
        Assert.Equal(McpTestClient.LatestProtocolVersion, Tag(call, McpTelemetryNames.ProtocolVersion));
        Assert.Null(Tag(call, McpTelemetryNames.ErrorType));
        Assert.InRange(call.Value, 0, 60);
        Assert.Contains(operations.GetMeasurementSnapshot(), m => Tag(m, McpTelemetryNames.MethodName) == "initialize");
    }

    [Fact]
    public async Task FailedRequests_CarryErrorType_TheJsonRpcCodeOrToolError()
    {
        await using var server = await TestServer.StartAsync();
        using var operations = Collect<double>(server, McpTelemetryNames.OperationDuration);
        await using var client = await server.ConnectAsync();

        await client.CallToolAsync("no-such-tool");
        await client.CallToolAsync("echo", new { text = 42 }); // a typed tool's bad argument: an isError result

        await MeasurementAsync(operations, m => Tag(m, McpTelemetryNames.ToolName) == "no-such-tool" && Tag(m, McpTelemetryNames.ErrorType) == "-32602");
        await MeasurementAsync(operations, m => Tag(m, McpTelemetryNames.ToolName) == "echo" && Tag(m, McpTelemetryNames.ErrorType) == McpTelemetryNames.ToolErrorType);
    }

    [Fact]
    public async Task HttpSession_CountsWhileOpen_AndRecordsItsDurationWhenDeleted()
    {
        await using var server = await TestServer.StartAsync();
        using var sessions = Collect<long>(server, McpTelemetryNames.ActiveSessions);
        using var lifetimes = Collect<double>(server, McpTelemetryNames.SessionDuration);
        using var operations = Collect<double>(server, McpTelemetryNames.OperationDuration);
        await using var client = await McpHttpTestClient.ConnectAsync(server.McpHttpUri);

        await client.CallToolAsync("echo", new { text = "over http" });
        await MeasurementAsync(operations, m => Tag(m, McpTelemetryNames.MethodName) == "tools/call" && Tag(m, McpTelemetryNames.NetworkProtocolName) == "http");
        Assert.Equal(1, Open(sessions, "http"));

        await client.DeleteSessionAsync();
        var ended = await MeasurementAsync(lifetimes, m => Tag(m, McpTelemetryNames.NetworkProtocolName) == "http");
        Assert.Equal(McpTestClient.LatestProtocolVersion, Tag(ended, McpTelemetryNames.ProtocolVersion));
        Assert.Equal(0, Open(sessions, "http"));
    }

    [Fact]
    public async Task StatelessRequest_RecordsItsOperation_ButCountsAsNoSession()
    {
        await using var server = await TestServer.StartAsync(configureOptions: o => o.ServeStatelessEra = true);
        using var sessions = Collect<long>(server, McpTelemetryNames.ActiveSessions);
        using var lifetimes = Collect<double>(server, McpTelemetryNames.SessionDuration);
        using var operations = Collect<double>(server, McpTelemetryNames.OperationDuration);
        using var inFlight = Collect<long>(server, McpTelemetryNames.CallsInFlight);
        await using var client = new McpHttpTestClient(server.McpHttpUri);

        // While a 2026-07-28 request runs, it is a call in flight and not an open session.
        using (var gone = new CancellationTokenSource())
        using (var leaving = new HttpClient())
        {
            var sleep = Era2026.ModernHttp.Post(client, 1, "tools/call",
                Era2026.ModernRequests.Params(new JObject { ["name"] = "sleep", ["arguments"] = new JObject { ["ms"] = 120_000 } }), nameHeader: "sleep");
            var sending = leaving.SendAsync(sleep, gone.Token);
            await Deadline.UntilAsync(() => Task.FromResult(Observed(inFlight) == 1), () => $"the sleeping call in flight; observed {Observed(inFlight)}");
            Assert.Empty(sessions.GetMeasurementSnapshot());
            gone.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);
        }

        var (status, _, _) = await Era2026.ModernHttp.SendAsync(client, Era2026.ModernHttp.Post(client, 2, "tools/call",
            Era2026.ModernRequests.Params(new JObject { ["name"] = "echo", ["arguments"] = new JObject { ["text"] = "stateless" } }), nameHeader: "echo"));
        Assert.Equal(System.Net.HttpStatusCode.OK, status);

        var call = await MeasurementAsync(operations, m => Tag(m, McpTelemetryNames.ToolName) == "echo");
        Assert.Equal(Era2026.ModernRequests.Version, Tag(call, McpTelemetryNames.ProtocolVersion));
        Assert.Equal("http", Tag(call, McpTelemetryNames.NetworkProtocolName));
        Assert.Empty(sessions.GetMeasurementSnapshot());
        Assert.Empty(lifetimes.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task RateLimitRefusals_AreCounted_ByTheLimitThatRefused()
    {
        await using var server = await TestServer.StartAsync(configureOptions: o =>
        {
            o.MaxMessagesPerSecond = 0.5;
            o.MessageBurst = 2; // initialize and one ping pass; the next ping is refused with -32005
            o.MaxUpgradesPerWindow = 1;
            o.UpgradeRateLimitWindow = TimeSpan.FromMinutes(10);
        });
        using var refusals = Collect<long>(server, McpTelemetryNames.RateLimited);
        await using var client = await server.ConnectAsync();

        await client.PingAsync();
        Assert.Equal(-32005, (await client.PingAsync()).ErrorCode);
        await Assert.ThrowsAnyAsync<Exception>(() => McpTestClient.ConnectAsync(server.WebSocketUri)); // 429: the address's one start is used

        await MeasurementAsync(refusals, m => Tag(m, "pmcp.limit") == "messages");
        await MeasurementAsync(refusals, m => Tag(m, "pmcp.limit") == "session_starts");
    }

    [Fact]
    public async Task CallsInFlight_AreObservedWhileTheyRun_AndNoLongerOnceCancelled()
    {
        await using var server = await TestServer.StartAsync();
        using var inFlight = Collect<long>(server, McpTelemetryNames.CallsInFlight);
        await using var client = await server.ConnectAsync();

        var sleeping = await client.StartToolCallAsync("sleep", new { ms = 120_000 });
        await Deadline.UntilAsync(() => Task.FromResult(Observed(inFlight) == 1), () => $"one call in flight; observed {Observed(inFlight)}");

        await client.NotifyAsync("notifications/cancelled", new JObject { ["requestId"] = sleeping.Id });
        await Deadline.UntilAsync(() => Task.FromResult(Observed(inFlight) == 0), () => $"no call in flight; observed {Observed(inFlight)}");
    }

    private static long? Observed(MetricCollector<long> collector)
    {
        collector.RecordObservableInstruments();
        return collector.LastMeasurement?.Value;
    }

    [Fact]
    public async Task InMemorySession_IsTaggedAsInProcess_NotTcp()
    {
        await using var server = await TestServer.StartAsync();
        using var operations = Collect<double>(server, McpTelemetryNames.OperationDuration);
        await using var session = await Pmcp.Actors.Hosting.McpInMemorySession.OpenAsync(server.App.Services.GetRequiredService<Pmcp.Actors.Hosting.McpServerRuntime>());

        await session.ToServer.WriteAsync("""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":""" + $"\"{McpTestClient.LatestProtocolVersion}\"" + ""","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}""");
        Assert.Contains("\"serverInfo\"", await session.FromServer.ReadAsync().AsTask().Within(Deadline.Default, "the initialize answer"), StringComparison.Ordinal);
        await session.ToServer.WriteAsync("""{"jsonrpc":"2.0","method":"notifications/initialized"}""");
        await session.ToServer.WriteAsync("""{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"in memory"}}}""");
        Assert.Contains("in memory", await session.FromServer.ReadAsync().AsTask().Within(Deadline.Default, "the call's answer"), StringComparison.Ordinal);

        var call = await MeasurementAsync(operations, m => Tag(m, McpTelemetryNames.MethodName) == "tools/call");
        Assert.Equal("inproc", Tag(call, McpTelemetryNames.NetworkTransport));
        Assert.Equal("memory", Tag(call, McpTelemetryNames.NetworkProtocolName));
    }

    [Fact]
    public async Task Request_WithTraceparentInMeta_IsAServerSpanOfTheClientsTrace()
    {
        using var trace = new TraceRecorder();
        var (traceId, parentId, spans) = (trace.TraceId, trace.ClientSpanId, trace.Spans);
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();

        var answer = await client.RequestAsync("tools/call", new JObject
        {
            ["name"] = "echo",
            ["arguments"] = new JObject { ["text"] = "traced" },
            ["_meta"] = new JObject { ["traceparent"] = $"00-{traceId}-{parentId}-01", ["tracestate"] = "vendor=1" },
        });

        await Deadline.UntilAsync(() => Task.FromResult(!spans.IsEmpty), () => "the server span of the traced call");
        var span = Assert.Single(spans);
        Assert.Equal("tools/call echo", span.DisplayName);
        Assert.Equal(ActivityKind.Server, span.Kind);
        Assert.Equal(parentId, span.ParentSpanId);
        Assert.Equal("vendor=1", span.TraceStateString);
        Assert.Equal("execute_tool", span.GetTagItem(McpTelemetryNames.OperationName));
        Assert.Equal(answer.Id!.ToString(Newtonsoft.Json.Formatting.None), span.GetTagItem(McpTelemetryNames.RequestId));
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
    }

    private static MetricCollector<T> Collect<T>(TestServer server, string instrument) where T : struct =>
        new(server.App.Services.GetRequiredService<IMeterFactory>(), McpTelemetryNames.SourceName, instrument);

    private static async Task<CollectedMeasurement<T>> MeasurementAsync<T>(MetricCollector<T> collector, Func<CollectedMeasurement<T>, bool> match) where T : struct
    {
        CollectedMeasurement<T>? found = null;
        await Deadline.UntilAsync(() => Task.FromResult((found = collector.GetMeasurementSnapshot().FirstOrDefault(match)) is not null),
            () => $"a {collector.Instrument?.Name} measurement that matches; saw: {string.Join(" | ", collector.GetMeasurementSnapshot().Select(Describe))}");
        return found!;
    }

    private static string? Tag<T>(CollectedMeasurement<T> measurement, string name) where T : struct =>
        measurement.Tags.TryGetValue(name, out var value) ? value?.ToString() : null;

    private static long Open(MetricCollector<long> sessions, string protocol) =>
        sessions.GetMeasurementSnapshot().Where(m => Tag(m, McpTelemetryNames.NetworkProtocolName) == protocol).Sum(m => m.Value);

    private static string Describe<T>(CollectedMeasurement<T> m) where T : struct =>
        $"{m.Value} {{{string.Join(", ", m.Tags.Select(t => $"{t.Key}={t.Value}"))}}}";
}
