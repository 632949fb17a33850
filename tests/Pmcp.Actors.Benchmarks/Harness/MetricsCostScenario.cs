using System.Globalization;
using Pmcp.Actors.Benchmarks.Load;

namespace Pmcp.Actors.Benchmarks.Harness;

/// <summary>
/// What the metrics cost on the hot path, as a same-run A/B: the standalone server twice, as shipped (metrics on: the
/// Prometheus exporter listens to every instrument) and with <c>Pmcp:Telemetry:Enabled=false</c> (no listener, so each
/// instrument's record is skipped at its enabled check), each warmed up, then measured in turns at WebSocket 16 × 4,
/// the order alternating each round. Reports the median server CPU per call of each and their ratio.
/// </summary>
internal sealed class MetricsCostScenario(string pmcpDll, int rounds, double seconds, double warmupSeconds, TextWriter log)
{
    private const int Connections = 16;
    private const int InFlight = 4;

    /// <summary>The largest extra CPU per call the metrics may cost (issue 31: within 5 %).</summary>
    public const double Budget = 0.05;

    private static string F(double v, string format = "0.0") => v.ToString(format, CultureInfo.InvariantCulture);

    public async Task<int> RunAsync()
    {
        string[] common = ["--port", "0", "--Logging:LogLevel:Default=Warning", "--Pmcp:Telemetry:MetricsPort=0"];
        var env = Servers.ServerEnvironment(null);
        // Each server with a task store of its own: two on the default folder, both single nodes, the second refuses to start.
        var (onStore, offStore) = (ChildProcess.NewStoreFolder(), ChildProcess.NewStoreFolder());
        await using var on = ChildProcess.Start("pmcp-metrics-on", pmcpDll, [.. common, "--Pmcp:Tasks:DataFolder=" + onStore], env);
        on.OwnFolder = onStore;
        await using var off = ChildProcess.Start("pmcp-metrics-off", pmcpDll, [.. common, "--Pmcp:Telemetry:Enabled=false", "--Pmcp:Tasks:DataFolder=" + offStore], env);
        off.OwnFolder = offStore;
        var metricsLine = await on.WaitForLineAsync(l => l.StartsWith("metrics on ", StringComparison.Ordinal), TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        var metricsUrl = new Uri(metricsLine["metrics on ".Length..].Trim());
        var servers = new[]
        {
            (Name: "metrics on", Process: on, Url: await on.WaitForListeningAsync(TimeSpan.FromSeconds(60), "ws").ConfigureAwait(false)),
            (Name: "metrics off", Process: off, Url: await off.WaitForListeningAsync(TimeSpan.FromSeconds(60), "ws").ConfigureAwait(false)),
        };

        foreach (var server in servers)
        {
            log.WriteLine($"== warming up {server.Name} ({F(warmupSeconds, "0")} s at {Connections} x {InFlight})");
            await LoadAsync(server.Url, warmupSeconds).ConfigureAwait(false);
        }

        var samples = servers.ToDictionary(s => s.Name, _ => new List<LoadResult>());
        for (var round = 0; round < rounds; round++)
        {
            var order = round % 2 == 0 ? servers : [servers[1], servers[0]];
            foreach (var server in order)
            {
                var cpuBefore = server.Process.CpuSeconds();
                var result = await LoadAsync(server.Url, seconds).ConfigureAwait(false);
                if (server.Process.HasExited) throw new InvalidOperationException($"{server.Name} exited: {server.Process.Tail}");
                if (result.TotalCalls > 0) result = result with { ServerCpuUsPerCall = (server.Process.CpuSeconds() - cpuBefore) * 1e6 / result.TotalCalls };
                samples[server.Name].Add(result);
                log.WriteLine($"   round {round + 1}  {server.Name,-11}  {F(result.CallsPerSecond, "0"),7} calls/s  server CPU {F(result.ServerCpuUsPerCall)} us/call  " +
                              $"p50 {F(result.P50Us, "0")} us  errors {result.Errors}{(result.Failure is null ? "" : "  FAILED: " + result.Failure)}");
            }
        }

        // The A side really measured: its /metrics has the operation histogram the calls fed.
        using var http = new HttpClient();
        var exposition = await http.GetStringAsync(metricsUrl).ConfigureAwait(false);
        var recorded = exposition.Contains("mcp_server_operation_duration", StringComparison.Ordinal);

        double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        }

        var cpuOn = Median(samples["metrics on"].Select(r => r.ServerCpuUsPerCall));
        var cpuOff = Median(samples["metrics off"].Select(r => r.ServerCpuUsPerCall));
        var extra = cpuOn / cpuOff - 1;
        var errors = samples.Values.SelectMany(r => r).Sum(r => r.Errors);
        log.WriteLine();
        log.WriteLine($"| server | calls/s (median) | server CPU per call (median) | runs |");
        log.WriteLine($"|---|---|---|---|");
        foreach (var (name, results) in samples)
            log.WriteLine($"| {name} | {F(Median(results.Select(r => r.CallsPerSecond)), "0")} | {F(Median(results.Select(r => r.ServerCpuUsPerCall)))} µs | {string.Join(", ", results.Select(r => F(r.ServerCpuUsPerCall)))} |");
        log.WriteLine();
        log.WriteLine($"metrics cost {F(extra * 100, "+0.0;-0.0")} % CPU per call (budget {F(Budget * 100, "0")} %): {(extra <= Budget ? "within" : "OVER")}; " +
                      $"/metrics of the 'on' server {(recorded ? "has" : "LACKS")} mcp_server_operation_duration; {errors} errors");
        return extra <= Budget && recorded && errors == 0 ? 0 : 2;
    }

    private static Task<LoadResult> LoadAsync(Uri url, double runSeconds) => Servers.RunLoadAsync(
    [
        "--url", url.ToString(), "--connections", Connections.ToString(CultureInfo.InvariantCulture),
        "--inflight", InFlight.ToString(CultureInfo.InvariantCulture), "--seconds", F(runSeconds, "0.###"), "--warmup", "1", "--transport", "ws",
    ], runSeconds + 1);
}
