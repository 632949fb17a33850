using System.Globalization;
using System.Text;
using Pmcp.Actors.Benchmarks.Load;

namespace Pmcp.Actors.Benchmarks.Harness;

/// <summary>Writes docs/benchmarks.md (figures, targets, machine, how to reproduce) and its chart from one run.</summary>
internal sealed partial class Report(HarnessSettings settings, RunResults results, string command)
{
    private const string NotesStart = "<!-- notes:start -->";
    private const string NotesEnd = "<!-- notes:end -->";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static string N(double v, string format = "N0") => double.IsNaN(v) ? "n/a" : v.ToString(format, Inv);

    private static string Ms(double us) => double.IsNaN(us) ? "n/a" : (us / 1000).ToString(us < 10_000 ? "0.000" : "0.0", Inv);

    private static string X(double ratio) => double.IsNaN(ratio) || double.IsInfinity(ratio) ? "n/a" : ratio.ToString("0.00", Inv) + "×";

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

    private string Markdown(string png, string? notes)
    {
        var sb = new StringBuilder();
        var quick = settings.Quick ? " (quick mode: short runs, one repetition, smaller memory and scale runs; not for quoting)" : "";
        sb.AppendLine("# Benchmarks");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Written by the harness (`tests/Pmcp.Actors.Benchmarks`) on {results.Started:yyyy-MM-dd HH:mm zzz}, in {results.Elapsed.TotalMinutes:0.0} min{quick}.");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"- Command: `{command}`");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- Machine: {Machine.Describe()}. The load generators run on the same machine, so every server shares the two cores with its load.");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- Versions: {Machine.Versions()}.");
        sb.AppendLine(settings.ServerGc switch
        {
            null => "- Servers, each a child process with the GC of its own runtime configuration: workstation GC for all (Pmcp.Actors.Server ships with it; " +
                    "the baselines and the SDK server run in the harness, a console app, not Sdk.Web with its Server GC; `--gc server` puts every server on Server GC):",
            true => "- Servers, each a child process, all forced to Server GC (`--gc server`):",
            false => "- Servers, each a child process, all forced to workstation GC (`--gc workstation`):",
        });
        sb.AppendLine("  **Pmcp.Actors**: the standalone server `Pmcp.Actors.Server.dll` (Release), logging at Warning, `MaxConnections=20000`, the per-client limits off (`MaxConnectionsPerClient=0`, `MaxUpgradesPerWindow=0`: the load generator is one loopback client), otherwise defaults (keepalive 30 s / 30 s, 64 calls in flight per connection, HTTP sessions idle out after 10 min); " +
                      "it serves WebSocket and Streamable HTTP on the same path; for the 2026-07-28 row it runs with `ServeStatelessEra=true`;");
        sb.AppendLine("  **thin baseline**: Kestrel WebSocket, one receive loop per socket that answers `initialize` and `tools/call echo` directly with System.Text.Json, no actors, same keepalive;");
        sb.AppendLine("  **thin HTTP baseline**: a Kestrel minimal-API POST endpoint that answers `initialize` (giving out an `Mcp-Session-Id`) and `tools/call echo` with the same System.Text.Json code, " +
                      "as plain `application/json`; a session is its id in one dictionary, looked up on every POST; no actors, no SSE; " +
                      "its 2026-07-28 row is the same server sent that revision's stateless requests, which it answers after checking their headers against the body and reading their `_meta`;");
        sb.AppendLine($"  **C# SDK**: `ModelContextProtocol.AspNetCore` Streamable HTTP with the same echo tool; in the WebSocket table {(settings.SdkStateful ? "stateful (Mcp-Session-Id)" : "stateless (the SDK's default)")}, " +
                      "in the Streamable HTTP table both stateful and stateless (it answers every POST as an SSE stream).");
        sb.AppendLine("- Load: a separate process per run. Each connection is initialized, then keeps D `tools/call echo` requests in flight for the measured window " +
                      $"({N(settings.Seconds, "0.#")} s after {N(settings.WarmupSeconds, "0.#")} s of warm-up); over WebSocket a call is sent as soon as an answer comes back; " +
                      "over HTTP each connection is a client whose D workers POST one call after another on N pooled HTTP/1.1 connections (HTTP/1.1 has no pipelining) and read the answer, JSON or SSE: " +
                      "in 2025-era sessions the client initializes first and names its `Mcp-Session-Id` on every call (and deletes the session at the end), " +
                      "in 2026-07-28 stateless requests it sends no initialize and every call carries that revision's `_meta` and headers.");
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
            foreach (var p in results.Problems) sb.AppendLine(CultureInfo.InvariantCulture, $"- {p}");
            sb.AppendLine();
        }
        sb.AppendLine(CultureInfo.InvariantCulture, $"![throughput against connections; latency percentiles]({png})");
        sb.AppendLine();
        var ws = Servers.WebSocket(settings);
        if (Has(results.Throughput, ws) || Has(results.Latency, ws)) LoadSections(sb, ws, null);
        if (results.Memory.Any(m => Servers.Transport(m.Server) == "ws"))
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"## Memory: RSS growth per idle initialized connection ({settings.MemoryConnections:N0} connections)");
            sb.AppendLine();
            sb.AppendLine("A fresh server is warmed by a short run (16 × 4, 3 s), left to settle, and its RSS (VmRSS) read; then one load generator opens and initializes the connections, " +
                          "and after a few seconds idle the RSS is read again. Growth ÷ connections, median of the repetitions.");
            sb.AppendLine();
            sb.Append(MemoryTable([ServerKind.Pmcp, ServerKind.Baseline, ServerKind.PmcpCompare], ServerKind.Baseline, "connection"));
            sb.AppendLine();
        }
        if (results.Scale.Count > 0)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"## Scale: {results.Scale[0].Target:N0} connections held {N(settings.ScaleHoldSeconds, "0")} s with keepalive on, then {settings.ScaleCallsPerConnection} calls each");
            sb.AppendLine();
            sb.AppendLine("Two load generator processes open half the connections each (64 handshakes at a time per process), so that neither passes the 20,000 open-file limit. " +
                          "The servers ping every socket every 30 s and drop one whose pong is 30 s late.");
            sb.AppendLine();
            sb.AppendLine("| server | opened | failed | accepts/s | RSS idle MiB | RSS open MiB | RSS peak MiB | KiB per connection | server fds | dropped while held | calls | call errors | calls/s | call p50 ms | call p99 ms | dropped at end |");
            sb.AppendLine("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
            foreach (var s in results.Scale)
            {
                var per = s.Opened == 0 ? double.NaN : (s.RssOpenBytes - s.RssIdleBytes) / (double)s.Opened / 1024;
                sb.AppendLine(CultureInfo.InvariantCulture, $"| {Servers.Label(s.Server)} | {s.Opened:N0} | {s.Failed} | {N(s.AcceptPerSecond)} | {s.RssIdleBytes / 1048576.0:N0} | {s.RssOpenBytes / 1048576.0:N0} | " +
                              $"{s.RssPeakBytes / 1048576.0:N0} | {N(per, "0.00")} | {s.ServerOpenFiles:N0} | {s.DroppedWhileHeld} | {s.Calls:N0} | {s.CallErrors} | {N(s.CallsPerSecond)} | " +
                              $"{Ms(s.CallP50Us)} | {Ms(s.CallP99Us)} | {s.DroppedAtEnd} |");
            }
            if (results.Scale.FirstOrDefault(s => s.FirstError is not null) is { } withError)
                sb.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"First connection error ({Servers.Label(withError.Server)}): `{withError.FirstError}`");
            sb.AppendLine();
        }
        var http = Servers.Http(settings);
        if (Has(results.Throughput, http) || Has(results.Latency, http) || results.NotMeasured.Keys.Any(http.Kinds.Contains)) LoadSections(sb, http, "Streamable HTTP");
        if (results.Memory.Any(m => Servers.Transport(m.Server) == "http"))
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"## Streamable HTTP memory: RSS growth per idle 2025 session ({settings.MemoryConnections:N0} sessions)");
            sb.AppendLine();
            sb.AppendLine("As above, but one load generator opens the sessions (initialize, then notifications/initialized) over 64 pooled connections, which stay open, " +
                          "so what grows is what the server keeps per session. After the second reading every session makes one call: \"still answering after\" counts those answered " +
                          "(a server that let idle sessions go would look cheaper than it is). The SDK's stateless mode and the 2026-07-28 era keep no sessions and are not measured here.");
            sb.AppendLine();
            sb.Append(MemoryTable(Servers.HttpMemory(settings), ServerKind.HttpBaseline, "session"));
            sb.AppendLine();
        }
        if (results.Micro.Count > 0)
        {
            sb.AppendLine("## Micro-benchmarks: the hot path, in process (BenchmarkDotNet, MemoryDiagnoser)");
            sb.AppendLine();
            sb.AppendLine("One `tools/call echo` frame through each step of Pmcp.Actors' path (frame → parse → dispatch → tool → serialize → frame), " +
                          "the thin baseline's whole answer for the same frame, and the whole path through the real actors (ConnectionActor running the tool itself, as the standalone server does) with a fake socket, 64 calls pipelined.");
            sb.AppendLine();
            sb.AppendLine("| benchmark | step | mean | allocated per call |");
            sb.AppendLine("|---|---|--:|--:|");
            foreach (var m in results.Micro)
                sb.AppendLine(CultureInfo.InvariantCulture, $"| {m.Type} | {m.Method.Trim('\'')}{(m.IsBaseline ? " (baseline)" : "")} | {FormatNs(m.MeanNs)} | {(m.AllocatedBytes is { } a ? N(a) + " B" : "n/a")} |");
            sb.AppendLine();
        }
        sb.AppendLine("## Reproduce");
        sb.AppendLine();
        sb.AppendLine("```bash");
        sb.AppendLine("dotnet run -c Release --project tests/Pmcp.Actors.Benchmarks -- all                      # every scenario, both tables; writes docs/benchmarks.md and docs/benchmarks.png");
        sb.AppendLine("dotnet run -c Release --project tests/Pmcp.Actors.Benchmarks -- all --quick              # the same with short runs and 2,000 connections/sessions (about 4 min)");
        sb.AppendLine("dotnet run -c Release --project tests/Pmcp.Actors.Benchmarks -- all --transport http --out /tmp/bench  # one table only (ws or http), written away from docs/");
        sb.AppendLine("dotnet run -c Release --project tests/Pmcp.Actors.Benchmarks -- throughput --transport http --quick  # HTTP throughput and latency only; prints the tables");
        sb.AppendLine("dotnet run -c Release --project tests/Pmcp.Actors.Benchmarks -- memory --transport http --quick      # RSS per idle HTTP session (2,000 sessions); prints the table");
        sb.AppendLine("dotnet run -c Release --project tests/Pmcp.Actors.Benchmarks -- micro                    # BenchmarkDotNet only");
        sb.AppendLine("dotnet run -c Release --project tests/Pmcp.Actors.Benchmarks -- allocations --servers ws,http,http-2026  # bytes allocated per answered call, by type, from each server's GC events");
        sb.AppendLine("dotnet run -c Release --project tests/Pmcp.Actors.Benchmarks -- memory | scale           # one scenario; --help lists the options");
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

    /// <summary>The throughput and latency sections of one table (the WebSocket one with no heading prefix, as it always had).</summary>
    private void LoadSections(StringBuilder sb, Suite suite, string? prefix)
    {
        sb.AppendLine(CultureInfo.InvariantCulture, $"## {(prefix is null ? "Throughput" : prefix + " throughput")}: N connections × {settings.InFlight} in flight");
        sb.AppendLine();
        sb.Append(LoadTable(results.Throughput, settings.Sweep.Select(c => (c, settings.InFlight)), suite));
        sb.AppendLine();
        EachRun(sb, $"{settings.TargetConnections} × {settings.InFlight}, calls/s of each run, in the order run",
            results.Throughput.Where(t => t.Result.Connections == settings.TargetConnections && t.Result.InFlight == settings.InFlight).ToArray(),
            r => r.CallsPerSecond, suite);
        sb.AppendLine(CultureInfo.InvariantCulture, $"## {(prefix is null ? "Latency" : prefix + " latency")}: 1 connection × 1 in flight");
        sb.AppendLine();
        sb.Append(LoadTable(results.Latency, [(1, 1)], suite));
        sb.AppendLine();
        EachRun(sb, "p50 of each run, in the order run (µs)", results.Latency, r => r.P50Us, suite);
    }

    public string ReadmeSection()
    {
        var sb = new StringBuilder();
        sb.AppendLine("## Performance");
        sb.AppendLine();
        sb.AppendLine($"Measured on {results.Started:yyyy-MM-dd} on {Environment.ProcessorCount} cores with the load generator on the same machine, " +
                      "against thin Kestrel baselines (WebSocket and HTTP, no actors) and the official C# SDK (Streamable HTTP, stateful and stateless). Medians; details, memory and scale in " +
                      "[docs/benchmarks.md](docs/benchmarks.md).");
        sb.AppendLine();
        sb.Append(TargetsTable());
        sb.AppendLine();
        var point = settings.TargetConnections;
        foreach (var suite in new[] { Servers.WebSocket(settings), Servers.Http(settings) })
        {
            if (!Has(results.Throughput, suite)) continue;
            sb.AppendLine(CultureInfo.InvariantCulture, $"{suite.Name}:");
            sb.AppendLine();
            sb.Append(LoadTable(results.Throughput, [(point, settings.InFlight)], suite));
            sb.AppendLine();
        }
        sb.AppendLine("Reproduce: `dotnet run -c Release --project tests/Pmcp.Actors.Benchmarks -- all` (or `all --quick`, about 4 minutes); it rewrites docs/benchmarks.md and its chart.");
        return sb.ToString();
    }

    private static string FormatNs(double ns) => ns switch
    {
        >= 1_000_000 => (ns / 1_000_000).ToString("0.00", Inv) + " ms",
        >= 1_000 => (ns / 1_000).ToString("0.00", Inv) + " µs",
        _ => ns.ToString("0.0", Inv) + " ns",
    };
}
