using System.Globalization;
using System.Text;
using Pmcp.Actors.Benchmarks.Load;

namespace Pmcp.Actors.Benchmarks.Harness;

/// <summary>The report's tables, one per figure, shared by the markdown file and the console.</summary>
internal sealed partial class Report
{
    public string TargetsTable()
    {
        var sb = new StringBuilder();
        sb.AppendLine("| target | goal | measured | met |");
        sb.AppendLine("|---|---|---|---|");
        foreach (var t in Targets()) sb.AppendLine(CultureInfo.InvariantCulture, $"| {t.Name} | {t.Goal} | {t.Measured} | {(t.Met is true ? "yes" : t.Met is false ? "**no**" : "n/a")} |");
        return sb.ToString();
    }

    /// <summary>Whether any server of <paramref name="suite"/> has a figure in <paramref name="samples"/>.</summary>
    private static bool Has(IReadOnlyList<LoadSample> samples, Suite suite) => samples.Any(s => suite.Kinds.Contains(s.Server));

    /// <summary>
    /// One row per server of <paramref name="suite"/> and point, with its ratios to the suite's reference servers; a server
    /// the run could not measure gets a row that says so.
    /// </summary>
    public string LoadTable(IReadOnlyList<LoadSample> samples, IEnumerable<(int Connections, int InFlight)> points, Suite suite)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| connections × in flight | server | calls/s | p50 ms | p99 ms | p99.9 ms | errors | server CPU µs/call | server GCs/s | GC pause % |" +
                      string.Concat(suite.Ratios.Select(r => $" {r.Header} |")));
        sb.AppendLine("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|" + string.Concat(suite.Ratios.Select(_ => "--:|")));
        foreach (var (c, d) in points)
        {
            var references = suite.Ratios.Select(r => RunResults.MedianOf(samples, r.Kind, c, d)).ToArray();
            foreach (var kind in suite.Kinds)
            {
                var name = Servers.IsOurs(kind) ? $"**{Servers.Label(kind)}**" : Servers.Label(kind);
                if (results.NotMeasured.ContainsKey(kind))
                {
                    sb.AppendLine($"| {c} × {d} | {name} | not measured | | | | | | | |" + string.Concat(suite.Ratios.Select(_ => " |")));
                    continue;
                }
                if (RunResults.MedianOf(samples, kind, c, d) is not { } r) continue;
                var ratios = references.Select(x => x is null ? double.NaN : r.CallsPerSecond / x.CallsPerSecond);
                sb.AppendLine($"| {c} × {d} | {name} | {N(r.CallsPerSecond)} | {Ms(r.P50Us)} | {Ms(r.P99Us)} | {Ms(r.P999Us)} | {r.Errors} | {N(r.ServerCpuUsPerCall, "0.0")} | " +
                              $"{N(r.ServerGcsPerSecond, "0")} | {N(r.ServerGcPausePercent, "0.0")} |" + string.Concat(ratios.Select(x => $" {X(x)} |")));
            }
        }
        foreach (var kind in suite.Kinds.Where(results.NotMeasured.ContainsKey))
            sb.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"{Servers.Label(kind)}: not measured: {results.NotMeasured[kind]}.");
        return sb.ToString();
    }

    /// <summary>RSS growth per idle connection (or HTTP session) of each of <paramref name="kinds"/>, and its ratio to <paramref name="baseline"/>.</summary>
    private string MemoryTable(ServerKind[] kinds, ServerKind baseline, string unit)
    {
        var sb = new StringBuilder();
        var http = kinds.Any(k => Servers.Transport(k) == "http");
        sb.AppendLine($"| server | RSS before MiB | RSS after MiB | {unit}s | KiB per {unit} | × {Servers.Label(baseline)} |" + (http ? " still answering after |" : ""));
        sb.AppendLine("|---|--:|--:|--:|--:|--:|" + (http ? "--:|" : ""));
        var mb = MemoryPerConnection(baseline);
        foreach (var kind in kinds)
        {
            var rows = results.Memory.Where(m => m.Server == kind).ToArray();
            if (rows.Length == 0) continue;
            var per = RunResults.Median(rows.Select(r => r.BytesPerConnection));
            sb.AppendLine($"| {Servers.Label(kind)} | {N(RunResults.Median(rows.Select(r => r.RssBeforeBytes / 1048576.0)), "0.0")} | " +
                          $"{N(RunResults.Median(rows.Select(r => r.RssAfterBytes / 1048576.0)), "0.0")} | {rows.Min(r => r.Connections):N0} | {N(per / 1024, "0.00")} | {X(per / mb)} |" +
                          (http ? $" {(rows.Min(r => r.StillAnswering) is { } a ? a.ToString("N0", Inv) : "n/a")} |" : ""));
        }
        return sb.ToString();
    }

    /// <summary>What the console shows after a run: the targets and the tables of each table that has figures.</summary>
    public string Summary()
    {
        var sb = new StringBuilder();
        sb.AppendLine(TargetsTable());
        foreach (var suite in new[] { Servers.WebSocket(settings), Servers.Http(settings) })
        {
            if (Has(results.Throughput, suite))
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"{suite.Name}, N connections × {settings.InFlight} in flight:");
                sb.AppendLine(LoadTable(results.Throughput, settings.Sweep.Select(c => (c, settings.InFlight)), suite));
            }
            if (Has(results.Latency, suite))
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"{suite.Name}, 1 × 1:");
                sb.AppendLine(LoadTable(results.Latency, [(1, 1)], suite));
            }
        }
        if (results.Memory.Any(m => Servers.Transport(m.Server) == "ws"))
            sb.AppendLine(MemoryTable([ServerKind.Pmcp, ServerKind.Baseline, ServerKind.PmcpCompare], ServerKind.Baseline, "connection"));
        if (results.Memory.Any(m => Servers.Transport(m.Server) == "http"))
            sb.AppendLine(MemoryTable(Servers.HttpMemory(settings), ServerKind.HttpBaseline, "session"));
        return sb.ToString();
    }

    /// <summary>One figure of every run per server, in the order run; only when a point was run more than once per server.</summary>
    private static void EachRun(StringBuilder sb, string title, IReadOnlyCollection<LoadSample> runs, Func<LoadResult, double> figure, Suite suite)
    {
        var kinds = suite.Kinds.Where(k => runs.Any(r => r.Server == k)).ToArray();
        var mine = runs.Where(r => kinds.Contains(r.Server)).ToArray();
        if (mine.Length <= kinds.Length) return;
        sb.AppendLine(title + ": " + string.Join("; ", kinds.Select(kind =>
            $"{Servers.Label(kind)} {string.Join(", ", mine.Where(r => r.Server == kind).Select(r => N(figure(r.Result))))}")) + ".");
        sb.AppendLine();
    }
}
