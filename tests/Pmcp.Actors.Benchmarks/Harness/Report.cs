using System.Globalization;
using System.Text;
using Pmcp.Actors.Benchmarks.Load;

namespace Pmcp.Actors.Benchmarks.Harness;

/// <summary>Writes docs/benchmarks.md (figures, targets, machine, how to reproduce) and its chart from one run.</summary>
internal sealed class Report(HarnessSettings settings, RunResults results, string command)
{
    private const string NotesStart = "<!-- notes:start -->";
    private const string NotesEnd = "<!-- notes:end -->";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static string N(double v, string format = "N0") => double.IsNaN(v) ? "n/a" : v.ToString(format, Inv);

    private static string Ms(double us) => double.IsNaN(us) ? "n/a" : (us / 1000).ToString(us < 10_000 ? "0.000" : "0.0", Inv);

    private static string X(double ratio) => double.IsNaN(ratio) || double.IsInfinity(ratio) ? "n/a" : ratio.ToString("0.00", Inv) + "×";

    public sealed record Target(string Name, string Goal, string Measured, bool? Met);

    public IReadOnlyList<Target> Targets()
    {
        var targets = new List<Target>();
        var point = settings.TargetConnections;
        var p = RunResults.MedianOf(results.Throughput, ServerKind.Pmcp, point, settings.InFlight);
        var b = RunResults.MedianOf(results.Throughput, ServerKind.Baseline, point, settings.InFlight);
        var s = RunResults.MedianOf(results.Throughput, ServerKind.Sdk, point, settings.InFlight);
        if (p is not null && b is not null)
        {
            var r = p.CallsPerSecond / b.CallsPerSecond;
            targets.Add(new($"Throughput, {point} connections × {settings.InFlight} in flight, vs thin baseline", "≥ 0.80×",
                $"{X(r)} ({N(p.CallsPerSecond)} vs {N(b.CallsPerSecond)} calls/s)", r >= 0.8));
        }
        if (p is not null && s is not null)
        {
            var r = p.CallsPerSecond / s.CallsPerSecond;
            // The room the goal leaves: a server at 0.8 × the baseline is 5 × the SDK only where the baseline is 6.25 × the
            // SDK, so the baseline's own ratio in the same run is printed beside ours.
            var ceiling = b is null ? "" : $"; the thin baseline: {X(b.CallsPerSecond / s.CallsPerSecond)}";
            targets.Add(new($"Throughput, {point} connections × {settings.InFlight} in flight, vs C# SDK", "≥ 5×",
                $"{X(r)} ({N(p.CallsPerSecond)} vs {N(s.CallsPerSecond)} calls/s{ceiling})", r >= 5));
        }
        var lp = RunResults.MedianOf(results.Latency, ServerKind.Pmcp, 1, 1);
        var lb = RunResults.MedianOf(results.Latency, ServerKind.Baseline, 1, 1);
        if (lp is not null && lb is not null)
        {
            var r = lp.P50Us / lb.P50Us;
            targets.Add(new("Latency p50, 1 connection × 1 in flight, vs thin baseline", "≤ 1.30×",
                $"{X(r)} ({Ms(lp.P50Us)} vs {Ms(lb.P50Us)} ms)", r <= 1.3));
        }
        var mp = RunResults.Median(results.Memory.Where(m => m.Server == ServerKind.Pmcp).Select(m => m.BytesPerConnection));
        var mb = RunResults.Median(results.Memory.Where(m => m.Server == ServerKind.Baseline).Select(m => m.BytesPerConnection));
        if (!double.IsNaN(mp) && !double.IsNaN(mb))
        {
            var r = mp / mb;
            targets.Add(new($"RSS growth per idle initialized connection at {settings.MemoryConnections:N0}, vs thin baseline", "≤ 1.25×",
                $"{X(r)} ({N(mp / 1024, "0.0")} vs {N(mb / 1024, "0.0")} KiB)", r <= 1.25));
        }
        if (results.Scale.FirstOrDefault(x => x.Server == ServerKind.Pmcp) is { } sc)
        {
            var ok = sc.Failure is null && sc.Opened == sc.Target && sc.Failed == 0 && sc.DroppedWhileHeld == 0 && sc.CallErrors == 0 && sc.DroppedAtEnd == 0;
            targets.Add(new($"Scale: {sc.Target:N0} initialized connections held {sc.HeldSeconds:0} s with keepalive, then calls", "none dropped, every call answered",
                $"{sc.Opened:N0} opened ({sc.AcceptPerSecond:N0}/s), {sc.DroppedWhileHeld} dropped, {sc.Calls:N0} calls with {sc.CallErrors} errors, peak RSS {sc.RssPeakBytes / 1048576.0:N0} MiB", ok));
        }
        return targets;
    }

    public string Write(string outDir)
    {
        Directory.CreateDirectory(outDir);
        var md = Path.Combine(outDir, "benchmarks.md");
        var png = Path.Combine(outDir, "benchmarks.png");
        Charts.Write(png, settings, results);
        var notes = File.Exists(md) ? ExtractNotes(File.ReadAllText(md)) : null;
        File.WriteAllText(md, Markdown(Path.GetFileName(png), notes));
        return md;
    }

    private static string? ExtractNotes(string text)
    {
        var start = text.IndexOf(NotesStart, StringComparison.Ordinal);
        var end = text.IndexOf(NotesEnd, StringComparison.Ordinal);
        return start >= 0 && end > start ? text[(start + NotesStart.Length)..end].Trim('\n') : null;
    }

    public string TargetsTable()
    {
        var sb = new StringBuilder();
        sb.AppendLine("| target | goal | measured | met |");
        sb.AppendLine("|---|---|---|---|");
        foreach (var t in Targets()) sb.AppendLine($"| {t.Name} | {t.Goal} | {t.Measured} | {(t.Met is true ? "yes" : t.Met is false ? "**no**" : "n/a")} |");
        return sb.ToString();
    }

    public string LoadTable(IReadOnlyList<LoadSample> samples, IEnumerable<(int Connections, int InFlight)> points)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| connections × in flight | server | calls/s | p50 ms | p99 ms | p99.9 ms | errors | server CPU µs/call | server GCs/s | GC pause % | × baseline | × SDK |");
        sb.AppendLine("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var (c, d) in points)
        {
            var b = RunResults.MedianOf(samples, ServerKind.Baseline, c, d);
            var s = RunResults.MedianOf(samples, ServerKind.Sdk, c, d);
            foreach (var kind in Servers.For(settings))
            {
                if (RunResults.MedianOf(samples, kind, c, d) is not { } r) continue;
                var vsB = b is null ? double.NaN : r.CallsPerSecond / b.CallsPerSecond;
                var vsS = s is null ? double.NaN : r.CallsPerSecond / s.CallsPerSecond;
                var name = kind == ServerKind.Pmcp ? "**Pmcp.Actors**" : Servers.Label(kind);
                sb.AppendLine($"| {c} × {d} | {name} | {N(r.CallsPerSecond)} | {Ms(r.P50Us)} | {Ms(r.P99Us)} | {Ms(r.P999Us)} | {r.Errors} | {N(r.ServerCpuUsPerCall, "0.0")} | {N(r.ServerGcsPerSecond, "0")} | {N(r.ServerGcPausePercent, "0.0")} | {X(vsB)} | {X(vsS)} |");
            }
        }
        return sb.ToString();
    }

    private string Markdown(string png, string? notes)
    {
        var sb = new StringBuilder();
        var quick = settings.Quick ? " (quick mode: short runs, one repetition, smaller memory and scale runs; not for quoting)" : "";
        sb.AppendLine("# Benchmarks");
        sb.AppendLine();
        sb.AppendLine($"Written by the harness (`tests/Pmcp.Actors.Benchmarks`) on {results.Started:yyyy-MM-dd HH:mm zzz}, in {results.Elapsed.TotalMinutes:0.0} min{quick}.");
        sb.AppendLine();
        sb.AppendLine($"- Command: `{command}`");
        sb.AppendLine($"- Machine: {Machine.Describe()}. The load generators run on the same machine, so every server shares the two cores with its load.");
        sb.AppendLine($"- Versions: {Machine.Versions()}.");
        sb.AppendLine(settings.ServerGc switch
        {
            null => "- Servers, each a child process with the GC it ships with (Pmcp.Actors.Server: workstation GC; the baseline and the SDK server: Server GC, Sdk.Web's default):",
            true => "- Servers, each a child process, all forced to Server GC (`--gc server`):",
            false => "- Servers, each a child process, all forced to workstation GC (`--gc workstation`):",
        });
        sb.AppendLine("  **Pmcp.Actors**: the standalone server `Pmcp.Actors.Server.dll` (Release), logging at Warning, `MaxConnections=20000`, otherwise defaults (keepalive 30 s / 30 s, 64 calls in flight per connection);");
        sb.AppendLine("  **thin baseline**: Kestrel WebSocket, one receive loop per socket that answers `initialize` and `tools/call echo` directly with System.Text.Json, no actors, same keepalive;");
        sb.AppendLine($"  **C# SDK**: `ModelContextProtocol.AspNetCore` Streamable HTTP with the same echo tool, {(settings.SdkStateful ? "stateful (Mcp-Session-Id)" : "stateless (the SDK's default)")}.");
        sb.AppendLine("- Load: a separate process per run. Each connection is initialized, then keeps D `tools/call echo` requests in flight for the measured window " +
                      $"({N(settings.Seconds, "0.#")} s after {N(settings.WarmupSeconds, "0.#")} s of warm-up); over WebSocket a call is sent as soon as an answer comes back; " +
                      "over HTTP (the SDK) each connection is a session whose D workers POST one call after another on N pooled HTTP/1.1 connections and read the SSE answer.");
        sb.AppendLine("- Server CPU µs/call: the server process's user + system CPU over a run (warm-up included) ÷ the calls it answered. " +
                      "Server GCs/s and GC pause %: the server's garbage collections over the same run, and the share of the time its threads " +
                      "stood suspended for them, from the runtime's GC events (an EventPipe session on the child, `GcWatch`).");
        sb.AppendLine($"- Figures are medians of {settings.Repetitions} repetitions; each repetition starts fresh servers and alternates them (the order rotates), so the shared machine's noise falls on all alike. " +
                      (settings.LatencyRunsPerRepetition > 1
                          ? $"The 1 × 1 latency point is run {settings.LatencyRunsPerRepetition} times per repetition, a fresh load generator each time, and its figures are medians of all {settings.Repetitions * settings.LatencyRunsPerRepetition} runs: at one call in flight each server has a fast and a slow mode from one run to the next. "
                          : "") +
                      (settings.TargetRunsPerRepetition > 1
                          ? $"The {settings.TargetConnections} × {settings.InFlight} point, where the throughput targets are read, is run {settings.TargetRunsPerRepetition} times per repetition in the same way (medians of {settings.Repetitions * settings.TargetRunsPerRepetition} runs): the servers' speed, the SDK's above all, moves from one run to the next. "
                          : "") +
                      "Ratios compare medians from the same run.");
        sb.AppendLine();
        sb.AppendLine("## Targets");
        sb.AppendLine();
        sb.Append(TargetsTable());
        sb.AppendLine();
        if (results.Problems.Count > 0)
        {
            sb.AppendLine("Problems seen during the run:");
            sb.AppendLine();
            foreach (var p in results.Problems) sb.AppendLine($"- {p}");
            sb.AppendLine();
        }
        sb.AppendLine($"![throughput against connections; latency percentiles]({png})");
        sb.AppendLine();
        sb.AppendLine($"## Throughput: N connections × {settings.InFlight} in flight");
        sb.AppendLine();
        sb.Append(LoadTable(results.Throughput, settings.Sweep.Select(c => (c, settings.InFlight))));
        sb.AppendLine();
        EachRun(sb, $"{settings.TargetConnections} × {settings.InFlight}, calls/s of each run, in the order run",
            results.Throughput.Where(t => t.Result.Connections == settings.TargetConnections && t.Result.InFlight == settings.InFlight).ToArray(),
            r => r.CallsPerSecond);
        sb.AppendLine("## Latency: 1 connection × 1 in flight");
        sb.AppendLine();
        sb.Append(LoadTable(results.Latency, [(1, 1)]));
        sb.AppendLine();
        EachRun(sb, "p50 of each run, in the order run (µs)", results.Latency, r => r.P50Us);
        sb.AppendLine($"## Memory: RSS growth per idle initialized connection ({settings.MemoryConnections:N0} connections)");
        sb.AppendLine();
        sb.AppendLine("A fresh server is warmed by a short run (16 × 4, 3 s), left to settle, and its RSS (VmRSS) read; then one load generator opens and initializes the connections, " +
                      "and after a few seconds idle the RSS is read again. Growth ÷ connections, median of the repetitions.");
        sb.AppendLine();
        sb.AppendLine("| server | RSS before MiB | RSS after MiB | connections | KiB per connection | × baseline |");
        sb.AppendLine("|---|--:|--:|--:|--:|--:|");
        var mb = RunResults.Median(results.Memory.Where(m => m.Server == ServerKind.Baseline).Select(m => m.BytesPerConnection));
        foreach (var kind in Servers.For(settings))
        {
            var rows = results.Memory.Where(m => m.Server == kind).ToArray();
            if (rows.Length == 0) continue;
            var per = RunResults.Median(rows.Select(r => r.BytesPerConnection));
            sb.AppendLine($"| {Servers.Label(kind)} | {N(RunResults.Median(rows.Select(r => r.RssBeforeBytes / 1048576.0)), "0.0")} | " +
                          $"{N(RunResults.Median(rows.Select(r => r.RssAfterBytes / 1048576.0)), "0.0")} | {rows.Min(r => r.Connections):N0} | {N(per / 1024, "0.00")} | {X(per / mb)} |");
        }
        sb.AppendLine();
        if (results.Scale.Count > 0)
        {
            sb.AppendLine($"## Scale: {results.Scale[0].Target:N0} connections held {N(settings.ScaleHoldSeconds, "0")} s with keepalive on, then {settings.ScaleCallsPerConnection} calls each");
            sb.AppendLine();
            sb.AppendLine("Two load generator processes open half the connections each (64 handshakes at a time per process), so that neither passes the 20,000 open-file limit. " +
                          "The servers ping every socket every 30 s and drop one whose pong is 30 s late.");
            sb.AppendLine();
            sb.AppendLine("| server | opened | failed | accepts/s | RSS idle MiB | RSS open MiB | RSS peak MiB | KiB per connection | server fds | dropped while held | calls | call errors | calls/s | call p50 ms | call p99 ms | dropped at end |");
            sb.AppendLine("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
            foreach (var s in results.Scale)
            {
                var per = s.Opened == 0 ? double.NaN : (s.RssOpenBytes - s.RssIdleBytes) / (double)s.Opened / 1024;
                sb.AppendLine($"| {Servers.Label(s.Server)} | {s.Opened:N0} | {s.Failed} | {N(s.AcceptPerSecond)} | {s.RssIdleBytes / 1048576.0:N0} | {s.RssOpenBytes / 1048576.0:N0} | " +
                              $"{s.RssPeakBytes / 1048576.0:N0} | {N(per, "0.00")} | {s.ServerOpenFiles:N0} | {s.DroppedWhileHeld} | {s.Calls:N0} | {s.CallErrors} | {N(s.CallsPerSecond)} | " +
                              $"{Ms(s.CallP50Us)} | {Ms(s.CallP99Us)} | {s.DroppedAtEnd} |");
            }
            if (results.Scale.FirstOrDefault(s => s.FirstError is not null) is { } withError)
                sb.AppendLine().AppendLine($"First connection error ({Servers.Label(withError.Server)}): `{withError.FirstError}`");
            sb.AppendLine();
        }
        if (results.Micro.Count > 0)
        {
            sb.AppendLine("## Micro-benchmarks: the hot path, in process (BenchmarkDotNet, MemoryDiagnoser)");
            sb.AppendLine();
            sb.AppendLine("One `tools/call echo` frame through each step of Pmcp.Actors' path (frame → text → parse → dispatch → tool → serialize → frame), " +
                          "the thin baseline's whole answer for the same frame, and the whole path through the real actors (ConnectionActor running the tool itself, as the standalone server does) with a fake socket, 64 calls pipelined.");
            sb.AppendLine();
            sb.AppendLine("| benchmark | step | mean | allocated per call |");
            sb.AppendLine("|---|---|--:|--:|");
            foreach (var m in results.Micro)
                sb.AppendLine($"| {m.Type} | {m.Method.Trim('\'')}{(m.IsBaseline ? " (baseline)" : "")} | {FormatNs(m.MeanNs)} | {(m.AllocatedBytes is { } a ? N(a) + " B" : "n/a")} |");
            sb.AppendLine();
        }
        sb.AppendLine("## Reproduce");
        sb.AppendLine();
        sb.AppendLine("```bash");
        sb.AppendLine("dotnet run -c Release --project tests/Pmcp.Actors.Benchmarks -- all            # every scenario, writes docs/benchmarks.md and docs/benchmarks.png (about 20 min)");
        sb.AppendLine("dotnet run -c Release --project tests/Pmcp.Actors.Benchmarks -- all --quick    # the same in under 2 minutes (short runs, 2,000 connections)");
        sb.AppendLine("dotnet run -c Release --project tests/Pmcp.Actors.Benchmarks -- micro          # BenchmarkDotNet only");
        sb.AppendLine("dotnet run -c Release --project tests/Pmcp.Actors.Benchmarks -- memory | scale  # one scenario; --help lists the options");
        sb.AppendLine("```");
        sb.AppendLine();
        sb.AppendLine("Add `--artifacts-path /tmp/pmcp-bench` to `dotnet run` to keep the build away from others building the same projects, and `--out DIR` after `all` to write elsewhere than `docs/`.");
        sb.AppendLine();
        sb.AppendLine("## README performance section (to paste)");
        sb.AppendLine();
        sb.AppendLine("````markdown");
        sb.Append(ReadmeSection());
        sb.AppendLine("````");
        sb.AppendLine();
        sb.AppendLine(NotesStart);
        sb.AppendLine(notes ?? "## Notes\n\n(hand-written notes kept between these markers survive the next run of the harness)");
        sb.AppendLine(NotesEnd);
        return sb.ToString();
    }

    public string ReadmeSection()
    {
        var sb = new StringBuilder();
        sb.AppendLine("## Performance");
        sb.AppendLine();
        sb.AppendLine($"Measured on {results.Started:yyyy-MM-dd} on {Environment.ProcessorCount} cores with the load generator on the same machine, " +
                      "against a thin Kestrel WebSocket baseline (no actors) and the official C# SDK (Streamable HTTP). Medians; details, memory and scale in " +
                      "[docs/benchmarks.md](docs/benchmarks.md).");
        sb.AppendLine();
        sb.Append(TargetsTable());
        sb.AppendLine();
        var point = settings.TargetConnections;
        sb.Append(LoadTable(results.Throughput, [(point, settings.InFlight)]));
        sb.AppendLine();
        sb.AppendLine("Reproduce: `dotnet run -c Release --project tests/Pmcp.Actors.Benchmarks -- all` (or `all --quick`, under 2 minutes); it rewrites docs/benchmarks.md and its chart.");
        return sb.ToString();
    }

    /// <summary>One figure of every run per server, in the order run; only when a point was run more than once per server.</summary>
    private void EachRun(StringBuilder sb, string title, IReadOnlyCollection<LoadSample> runs, Func<LoadResult, double> figure)
    {
        if (runs.Count <= Servers.For(settings).Length) return;
        sb.AppendLine(title + ": " + string.Join("; ", Servers.For(settings).Select(kind =>
            $"{Servers.Label(kind)} {string.Join(", ", runs.Where(r => r.Server == kind).Select(r => N(figure(r.Result))))}")) + ".");
        sb.AppendLine();
    }

    private static string FormatNs(double ns) => ns switch
    {
        >= 1_000_000 => (ns / 1_000_000).ToString("0.00", Inv) + " ms",
        >= 1_000 => (ns / 1_000).ToString("0.00", Inv) + " µs",
        _ => ns.ToString("0.0", Inv) + " ns",
    };
}
