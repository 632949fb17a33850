using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Pmcp.Actors.Benchmarks.Load;

namespace Pmcp.Actors.Benchmarks.Harness;

/// <summary>
/// Runs the scenarios: every server is a child process, every load generator another one. Repetitions alternate the
/// servers of a table (the order rotates each time) so that the shared machine's noise falls on all alike; figures are medians.
/// </summary>
internal sealed class Orchestrator(HarnessSettings settings, TextWriter log)
{
    private static string F(double v, string format = "0") => v.ToString(format, CultureInfo.InvariantCulture);

    public async Task<RunResults> RunAllAsync(bool throughput = true, bool memory = true, bool scale = true, bool micro = true)
    {
        var results = new RunResults();
        var clock = Stopwatch.StartNew();
        if (throughput) await ThroughputAndLatencyAsync(results).ConfigureAwait(false);
        if (memory) await MemoryAsync(results).ConfigureAwait(false);
        if (scale && settings.WebSocket) await ScaleAsync(results).ConfigureAwait(false);
        if (micro && settings.Micro)
        {
            log.WriteLine("== micro-benchmarks (BenchmarkDotNet, in process)");
            results.Micro.AddRange(Micro.MicroRunner.Run(settings.Quick, [], log));
        }
        results.Elapsed = clock.Elapsed;
        return results;
    }

    /// <summary>The sweep and the 1 × 1 latency point of the WebSocket table, then of the Streamable HTTP table (each as settings ask).</summary>
    public async Task ThroughputAndLatencyAsync(RunResults results)
    {
        if (settings.WebSocket) await SuiteAsync(Servers.WebSocket(settings), results).ConfigureAwait(false);
        if (settings.Http) await SuiteAsync(Servers.Http(settings), results).ConfigureAwait(false);
    }

    /// <summary>The sweep (N connections × D in flight) and the 1 × 1 latency point, for the servers of one table.</summary>
    private async Task SuiteAsync(Suite suite, RunResults results)
    {
        var points = settings.Sweep.Select(n => (Connections: n, InFlight: settings.InFlight, Latency: false, Turn: 0)).ToList();
        // The target point again, each further run starting with the next server.
        points.AddRange(Enumerable.Range(1, Math.Max(0, settings.TargetRunsPerRepetition - 1))
            .Select(turn => (settings.TargetConnections, settings.InFlight, false, turn)));
        points.AddRange(Enumerable.Range(0, settings.LatencyRunsPerRepetition).Select(turn => (1, 1, true, turn)));
        var kinds = suite.Kinds;
        for (var rep = 0; rep < settings.Repetitions; rep++)
        {
            log.WriteLine($"== {suite.Name}: throughput and latency, repetition {rep + 1} of {settings.Repetitions}");
            var started = new Dictionary<ServerKind, (ChildProcess Process, Uri Url)>();
            try
            {
                foreach (var kind in kinds) started[kind] = await Servers.StartAsync(kind, settings).ConfigureAwait(false);
                if (rep == 0) kinds = await DropUnspokenErasAsync(kinds, started, results).ConfigureAwait(false);
                var order = Rotate(kinds, rep);
                foreach (var kind in order)
                    await LoadAsync(kind, started[kind].Url, 16, settings.InFlight, settings.ServerWarmupSeconds).ConfigureAwait(false);
                foreach (var point in points)
                {
                    // Each further run of a point starts with the next server, so that none is always measured first.
                    foreach (var kind in Rotate(order, point.Turn))
                    {
                        var (process, url) = started[kind];
                        var cpuBefore = process.CpuSeconds();
                        var gc = GcWatch.TryStart(process.Pid);
                        LoadResult result;
                        (double PerSecond, double PausedPercent) gcs = (double.NaN, double.NaN);
                        try
                        {
                            result = await LoadAsync(kind, url, point.Connections, point.InFlight, settings.Seconds).ConfigureAwait(false);
                            if (result.TotalCalls > 0) result = result with { ServerCpuUsPerCall = (process.CpuSeconds() - cpuBefore) * 1e6 / result.TotalCalls };
                        }
                        finally
                        {
                            if (gc is not null) gcs = await gc.StopAsync().ConfigureAwait(false);
                        }
                        result = result with { ServerGcsPerSecond = gcs.PerSecond, ServerGcPausePercent = gcs.PausedPercent };
                        if (process.HasExited) throw new InvalidOperationException($"{Servers.Label(kind)} exited: {process.Tail}");
                        (point.Latency ? results.Latency : results.Throughput).Add(new LoadSample(kind, rep, result));
                        log.WriteLine($"   {Servers.Label(kind),-34} {point.Connections,4} x {point.InFlight}  {F(result.CallsPerSecond),8} calls/s  " +
                                      $"p50 {F(result.P50Us)} us  p99 {F(result.P99Us)} us  p99.9 {F(result.P999Us)} us  server CPU {F(result.ServerCpuUsPerCall, "0.0")} us/call  " +
                                      $"GCs {F(result.ServerGcsPerSecond, "0")}/s (paused {F(result.ServerGcPausePercent, "0.0")} %)  errors {result.Errors}" +
                                      (result.Failure is null ? "" : "  FAILED: " + result.Failure));
                        if (result.Failure is not null || result.Errors > 0)
                            results.Problems.Add($"{Servers.Label(kind)} {point.Connections}x{point.InFlight} rep {rep + 1}: {result.Errors} errors {result.Failure}");
                    }
                }
            }
            finally
            {
                foreach (var (process, _) in started.Values) await process.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The hook for the 2026-07-28 row: one echo call in that era to the freshly started server. Answered, the row is
    /// measured like the others; refused, its server is stopped, the row is left out of this table's runs and the report
    /// says "not measured" with the server's answer. Nothing else is ever left out.
    /// </summary>
    private async Task<ServerKind[]> DropUnspokenErasAsync(ServerKind[] kinds, Dictionary<ServerKind, (ChildProcess Process, Uri Url)> started, RunResults results)
    {
        var kept = new List<ServerKind>();
        foreach (var kind in kinds)
        {
            if (Servers.Era(kind) != McpFrames.StatelessProtocolVersion)
            {
                kept.Add(kind);
                continue;
            }
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var refusal = await HttpLoadGenerator.ProbeAsync(started[kind].Url, Servers.Era(kind), timeout.Token).ConfigureAwait(false);
            if (refusal is null)
            {
                kept.Add(kind);
                continue;
            }
            log.WriteLine($"   {Servers.Label(kind)}: not measured, a {Servers.Era(kind)} call was refused: {refusal}");
            results.NotMeasured[kind] = $"the server does not answer {Servers.Era(kind)} requests yet (a probe call got {refusal})";
            await started[kind].Process.DisposeAsync().ConfigureAwait(false);
            started.Remove(kind);
        }
        return [.. kept];
    }

    private Task<LoadResult> LoadAsync(ServerKind kind, Uri url, int connections, int inFlight, double seconds) => Servers.RunLoadAsync(
    [
        "--url", url.ToString(), "--connections", connections.ToString(CultureInfo.InvariantCulture),
        "--inflight", inFlight.ToString(CultureInfo.InvariantCulture), "--seconds", F(seconds, "0.###"),
        "--warmup", F(settings.WarmupSeconds, "0.###"), "--transport", Servers.Transport(kind), "--era", Servers.Era(kind),
    ], seconds + settings.WarmupSeconds);

    /// <summary>
    /// RSS growth of a fresh server per idle initialized WebSocket connection (Pmcp.Actors and the baseline), then per idle
    /// 2025 HTTP session (Pmcp.Actors, the thin HTTP baseline and the SDK stateful), each as settings ask.
    /// </summary>
    public async Task MemoryAsync(RunResults results)
    {
        if (settings.WebSocket)
        {
            ServerKind[] kinds = settings.CompareDll is null ? [ServerKind.Pmcp, ServerKind.Baseline] : [ServerKind.Pmcp, ServerKind.Baseline, ServerKind.PmcpCompare];
            await MemoryAsync(kinds, results).ConfigureAwait(false);
        }
        if (settings.Http) await MemoryAsync(Servers.HttpMemory(settings), results).ConfigureAwait(false);
    }

    private async Task MemoryAsync(ServerKind[] kinds, RunResults results)
    {
        for (var rep = 0; rep < settings.MemoryRepetitions; rep++)
        {
            foreach (var kind in Rotate(kinds, rep))
            {
                var http = Servers.Transport(kind) == "http";
                var what = http ? "idle HTTP sessions" : "idle connections";
                log.WriteLine($"== memory, {Servers.Label(kind)}, {settings.MemoryConnections} {what}, repetition {rep + 1} of {settings.MemoryRepetitions}");
                var (server, url) = await Servers.StartAsync(kind, settings).ConfigureAwait(false);
                await using (server.ConfigureAwait(false))
                {
                    // Warm the server (JIT, pools), then let it settle before the first reading.
                    await LoadAsync(kind, url, 16, settings.InFlight, Math.Min(settings.ServerWarmupSeconds, 3)).ConfigureAwait(false);
                    await Task.Delay(TimeSpan.FromSeconds(settings.Quick ? 1 : 3)).ConfigureAwait(false);
                    var before = server.RssBytes();
                    await using var hold = StartHold(url, settings.MemoryConnections, "hold", Servers.Transport(kind));
                    var ready = Json(await hold.WaitForJsonAsync(TimeSpan.FromSeconds(300)).ConfigureAwait(false));
                    await Task.Delay(TimeSpan.FromSeconds(settings.Quick ? 2 : 5)).ConfigureAwait(false);
                    var after = server.RssBytes();
                    long? answering = null;
                    if (http)
                    {
                        // After the reading: does the server still hold every session? One call each.
                        await hold.WriteLineAsync("calls 1").ConfigureAwait(false);
                        answering = Json(await hold.WaitForJsonAsync(TimeSpan.FromSeconds(300)).ConfigureAwait(false)).GetProperty("calls").GetInt64();
                    }
                    var sample = new MemorySample(kind, rep, before, after, ready.GetProperty("opened").GetInt32(), ready.GetProperty("failed").GetInt32(), answering);
                    results.Memory.Add(sample);
                    log.WriteLine($"   RSS {before / 1048576.0:0.0} MiB -> {after / 1048576.0:0.0} MiB for {sample.Connections} {(http ? "sessions" : "connections")} " +
                                  $"({sample.Failed} failed{(answering is { } a ? $", {a} still answering after" : "")}): {sample.BytesPerConnection / 1024:0.00} KiB per {(http ? "session" : "connection")}");
                    if (sample.Failed > 0) results.Problems.Add($"memory {Servers.Label(kind)} rep {rep + 1}: {sample.Failed} {(http ? "sessions" : "connections")} failed");
                    if (answering is { } n && n < sample.Connections)
                        results.Problems.Add($"memory {Servers.Label(kind)} rep {rep + 1}: only {n} of {sample.Connections} idle sessions still answered a call");
                    await hold.WriteLineAsync("exit").ConfigureAwait(false);
                    await hold.WaitForExitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>
    /// N initialized connections from two load generator processes (each under the 20,000 open-file limit), held with
    /// keepalive on, then each makes calls. Reports the accept rate, RSS, drops and the calls' outcome.
    /// </summary>
    public async Task ScaleAsync(RunResults results)
    {
        ServerKind[] kinds = settings.ScaleBaseline ? [ServerKind.Pmcp, ServerKind.Baseline] : [ServerKind.Pmcp];
        if (settings.CompareDll is not null) kinds = [.. kinds, ServerKind.PmcpCompare];
        foreach (var kind in kinds)
        {
            log.WriteLine($"== scale, {Servers.Label(kind)}: {settings.ScaleConnections} connections held {settings.ScaleHoldSeconds} s with keepalive, then {settings.ScaleCallsPerConnection} calls each");
            var result = await ScaleOneAsync(kind).ConfigureAwait(false);
            results.Scale.Add(result);
            log.WriteLine($"   opened {result.Opened}/{result.Target} ({result.Failed} failed) in {result.OpenSeconds:0.0} s = {result.AcceptPerSecond:0} accepts/s; " +
                          $"RSS idle {result.RssIdleBytes / 1048576.0:0} MiB, open {result.RssOpenBytes / 1048576.0:0} MiB, peak {result.RssPeakBytes / 1048576.0:0} MiB; " +
                          $"dropped while held {result.DroppedWhileHeld}; calls {result.Calls} ok, {result.CallErrors} errors, {result.CallsPerSecond:0}/s; dropped at end {result.DroppedAtEnd}" +
                          (result.Failure is null ? "" : "  FAILED: " + result.Failure));
            if (result.Failure is not null || result.Failed > 0 || result.DroppedWhileHeld > 0 || result.CallErrors > 0)
                results.Problems.Add($"scale {Servers.Label(kind)}: {result.Failed} failed, {result.DroppedWhileHeld} dropped, {result.CallErrors} call errors {result.Failure}");
        }
    }

    private async Task<ScaleResult> ScaleOneAsync(ServerKind kind)
    {
        var (server, url) = await Servers.StartAsync(kind, settings).ConfigureAwait(false);
        await using (server.ConfigureAwait(false))
        {
            await LoadAsync(kind, url, 16, settings.InFlight, Math.Min(settings.ServerWarmupSeconds, 3)).ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            var idle = server.RssBytes();
            // Two generators, so that neither holds more sockets than the per-process open-file limit allows.
            var half = settings.ScaleConnections / 2;
            await using var first = StartHold(url, half, "hold-1");
            await using var second = StartHold(url, settings.ScaleConnections - half, "hold-2");
            var timeout = TimeSpan.FromSeconds(600);
            var readies = await Task.WhenAll(first.WaitForJsonAsync(timeout), second.WaitForJsonAsync(timeout)).ConfigureAwait(false);
            var ready = readies.Select(Json).ToArray();
            var opened = ready.Sum(r => r.GetProperty("opened").GetInt32());
            var failed = ready.Sum(r => r.GetProperty("failed").GetInt32());
            var openSeconds = ready.Max(r => r.GetProperty("seconds").GetDouble());
            var firstError = ready.Select(r => r.TryGetProperty("firstError", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null)
                .FirstOrDefault(e => e is not null);
            var rssOpen = server.RssBytes();
            var peak = rssOpen;
            var openFiles = server.OpenFiles();

            var held = Stopwatch.StartNew();
            while (held.Elapsed.TotalSeconds < settings.ScaleHoldSeconds)
            {
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(5, Math.Max(0.1, settings.ScaleHoldSeconds - held.Elapsed.TotalSeconds)))).ConfigureAwait(false);
                peak = Math.Max(peak, server.RssBytes());
            }
            var dropped = 0;
            foreach (var hold in new[] { first, second })
            {
                await hold.WriteLineAsync("status").ConfigureAwait(false);
                dropped += Json(await hold.WaitForJsonAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false)).GetProperty("dropped").GetInt32();
            }

            var callsCommand = "calls " + settings.ScaleCallsPerConnection.ToString(CultureInfo.InvariantCulture);
            await Task.WhenAll(first.WriteLineAsync(callsCommand), second.WriteLineAsync(callsCommand)).ConfigureAwait(false);
            var callLines = await Task.WhenAll(first.WaitForJsonAsync(timeout), second.WaitForJsonAsync(timeout)).ConfigureAwait(false);
            peak = Math.Max(peak, server.RssBytes());
            var calls = callLines.Select(Json).ToArray();
            var callCount = calls.Sum(c => c.GetProperty("calls").GetInt64());
            var callSeconds = calls.Max(c => c.GetProperty("seconds").GetDouble());
            var result = new ScaleResult(kind)
            {
                Target = settings.ScaleConnections,
                Opened = opened,
                Failed = failed,
                FirstError = firstError,
                OpenSeconds = openSeconds,
                AcceptPerSecond = opened / openSeconds,
                RssIdleBytes = idle,
                RssOpenBytes = rssOpen,
                RssPeakBytes = peak,
                HeldSeconds = held.Elapsed.TotalSeconds,
                DroppedWhileHeld = dropped,
                ServerOpenFiles = openFiles,
                Calls = callCount,
                CallErrors = calls.Sum(c => c.GetProperty("errors").GetInt64()),
                CallsPerSecond = callCount / callSeconds,
                CallP50Us = RunResults.Median(calls.Select(c => c.GetProperty("p50Us").GetDouble())),
                CallP99Us = calls.Max(c => c.GetProperty("p99Us").GetDouble()),
                DroppedAtEnd = calls.Sum(c => c.GetProperty("dropped").GetInt32()),
            };
            foreach (var hold in new[] { first, second }) await hold.WriteLineAsync("exit").ConfigureAwait(false);
            await Task.WhenAll(first.WaitForExitAsync(TimeSpan.FromSeconds(60)), second.WaitForExitAsync(TimeSpan.FromSeconds(60))).ConfigureAwait(false);
            return result;
        }
    }

    private static ChildProcess StartHold(Uri url, int connections, string name, string transport = "ws") => Servers.StartLoadGenerator(name,
        ["hold", "--url", url.ToString(), "--connections", connections.ToString(CultureInfo.InvariantCulture), "--parallel", "64", "--transport", transport]);

    private static JsonElement Json(string line) => JsonDocument.Parse(line).RootElement;

    private static T[] Rotate<T>(T[] items, int by) => [.. items.Skip(by % items.Length), .. items.Take(by % items.Length)];
}
