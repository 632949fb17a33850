using ScottPlot;

namespace Pmcp.Actors.Benchmarks.Harness;

/// <summary>
/// docs/benchmarks.png: for each table that has figures (WebSocket, then Streamable HTTP), one row of three panels:
/// throughput against connections, and latency percentiles at the target point and at 1 × 1 (ScottPlot).
/// </summary>
internal static class Charts
{
    private static readonly Dictionary<ServerKind, Color> Colors = new()
    {
        [ServerKind.Pmcp] = new Color(31, 119, 180),
        [ServerKind.Baseline] = new Color(127, 127, 127),
        [ServerKind.Sdk] = new Color(214, 39, 40),
        [ServerKind.PmcpCompare] = new Color(158, 202, 225),
        [ServerKind.PmcpHttp] = new Color(31, 119, 180),
        [ServerKind.PmcpHttpStateless] = new Color(44, 160, 44),
        [ServerKind.HttpBaseline] = new Color(127, 127, 127),
        [ServerKind.HttpBaselineStateless] = new Color(199, 199, 199),
        [ServerKind.SdkStateful] = new Color(140, 20, 20),
        [ServerKind.SdkStateless] = new Color(214, 39, 40),
        [ServerKind.PmcpCompareHttp] = new Color(158, 202, 225),
        [ServerKind.ActorHopBaseline] = new Color(188, 189, 34),
    };

    public static void Write(string path, HarnessSettings settings, RunResults results)
    {
        var suites = new[] { Servers.WebSocket(settings), Servers.Http(settings) }
            .Select(s => s with { Kinds = s.Kinds.Where(k => results.Throughput.Concat(results.Latency).Any(r => r.Server == k)).ToArray() })
            .Where(s => s.Kinds.Length > 0).ToArray();
        if (suites.Length == 0) return;
        var multiplot = new Multiplot();
        multiplot.AddPlots(3 * suites.Length);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(suites.Length, 3);
        for (var row = 0; row < suites.Length; row++)
        {
            var suite = suites[row];
            Throughput(multiplot.GetPlot(3 * row), settings, results, suite);
            Percentiles(multiplot.GetPlot(3 * row + 1), suite, results.Throughput, settings.TargetConnections, settings.InFlight);
            Percentiles(multiplot.GetPlot(3 * row + 2), suite, results.Latency, 1, 1);
        }
        multiplot.SavePng(path, 1500, 480 * suites.Length);
    }

    private static void Throughput(Plot plot, HarnessSettings settings, RunResults results, Suite suite)
    {
        var connections = settings.Sweep.OrderBy(c => c).ToArray();
        // Connections grow by powers of two or four: a log2 x axis labelled with the real counts.
        var xs = connections.Select(c => Math.Log2(c)).ToArray();
        var highest = 0.0;
        foreach (var kind in suite.Kinds)
        {
            var ys = connections.Select(c => RunResults.MedianOf(results.Throughput, kind, c, settings.InFlight)?.CallsPerSecond ?? double.NaN).ToArray();
            highest = Math.Max(highest, ys.Where(double.IsFinite).DefaultIfEmpty(0).Max());
            var line = plot.Add.Scatter(xs, ys, Colors[kind]);
            line.LegendText = Servers.Label(kind);
            line.LineWidth = 2;
            line.MarkerSize = 7;
        }
        plot.Axes.Bottom.SetTicks(xs, connections.Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        plot.Title($"{suite.Name}: calls/s at N × {settings.InFlight}");
        plot.XLabel("connections");
        plot.YLabel("calls/s (median)");
        // From zero, so that the gaps between the lines read as the ratios they are (a fitted axis started at the
        // lowest point and put the SDK's first point on the frame).
        if (highest > 0) plot.Axes.SetLimitsY(0, highest * 1.1);
        plot.ShowLegend(Alignment.UpperLeft);
    }

    private static void Percentiles(Plot plot, Suite suite, IReadOnlyList<LoadSample> samples, int connections, int inFlight)
    {
        string[] names = ["p50", "p99", "p99.9"];
        var bars = new List<Bar>();
        var width = 1.0 / (suite.Kinds.Length + 1);
        for (var s = 0; s < suite.Kinds.Length; s++)
        {
            var kind = suite.Kinds[s];
            if (RunResults.MedianOf(samples, kind, connections, inFlight) is not { } r) continue;
            double[] values = [r.P50Us / 1000, r.P99Us / 1000, r.P999Us / 1000];
            for (var p = 0; p < values.Length; p++)
                bars.Add(new Bar { Position = p + s * width, Value = values[p], FillColor = Colors[kind], Size = width * 0.95 });
        }
        plot.Add.Bars(bars);
        foreach (var kind in suite.Kinds)
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = Servers.Label(kind), FillColor = Colors[kind] });
        plot.Axes.Bottom.SetTicks(names.Select((_, i) => i + width).ToArray(), names);
        plot.Title($"{suite.Name}: latency at {connections} × {inFlight}");
        plot.YLabel("ms (median of runs)");
        plot.Axes.Margins(bottom: 0);
        plot.ShowLegend(Alignment.UpperLeft);
    }
}
