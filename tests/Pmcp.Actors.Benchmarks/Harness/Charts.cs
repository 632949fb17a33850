using ScottPlot;

namespace Pmcp.Actors.Benchmarks.Harness;

/// <summary>docs/benchmarks.png: throughput against connections for the three servers, and latency percentiles (ScottPlot).</summary>
internal static class Charts
{
    private static readonly Dictionary<ServerKind, Color> Colors = new()
    {
        [ServerKind.Pmcp] = new Color(31, 119, 180),
        [ServerKind.Baseline] = new Color(127, 127, 127),
        [ServerKind.Sdk] = new Color(214, 39, 40),
        [ServerKind.PmcpCompare] = new Color(158, 202, 225),
    };

    public static void Write(string path, HarnessSettings settings, RunResults results)
    {
        var multiplot = new Multiplot();
        multiplot.AddPlots(3);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        Throughput(multiplot.GetPlot(0), settings, results);
        var point = settings.TargetConnections;
        Percentiles(multiplot.GetPlot(1), settings, results.Throughput, point, settings.InFlight);
        Percentiles(multiplot.GetPlot(2), settings, results.Latency, 1, 1);
        multiplot.SavePng(path, 1500, 480);
    }

    private static void Throughput(Plot plot, HarnessSettings settings, RunResults results)
    {
        var connections = settings.Sweep.OrderBy(c => c).ToArray();
        // Connections grow by powers of two or four: a log2 x axis labelled with the real counts.
        var xs = connections.Select(c => Math.Log2(c)).ToArray();
        var highest = 0.0;
        foreach (var kind in Servers.For(settings))
        {
            var ys = connections.Select(c => RunResults.MedianOf(results.Throughput, kind, c, settings.InFlight)?.CallsPerSecond ?? double.NaN).ToArray();
            highest = Math.Max(highest, ys.Where(double.IsFinite).DefaultIfEmpty(0).Max());
            var line = plot.Add.Scatter(xs, ys, Colors[kind]);
            line.LegendText = Servers.Label(kind);
            line.LineWidth = 2;
            line.MarkerSize = 7;
        }
        plot.Axes.Bottom.SetTicks(xs, connections.Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        plot.Title($"Throughput, N connections × {settings.InFlight} in flight");
        plot.XLabel("connections");
        plot.YLabel("calls/s (median)");
        // From zero, so that the gaps between the lines read as the ratios they are (a fitted axis started at the
        // lowest point and put the SDK's first point on the frame).
        if (highest > 0) plot.Axes.SetLimitsY(0, highest * 1.1);
        plot.ShowLegend(Alignment.UpperLeft);
    }

    private static void Percentiles(Plot plot, HarnessSettings settings, IReadOnlyList<LoadSample> samples, int connections, int inFlight)
    {
        string[] names = ["p50", "p99", "p99.9"];
        var bars = new List<Bar>();
        var width = 1.0 / (Servers.For(settings).Length + 1);
        for (var s = 0; s < Servers.For(settings).Length; s++)
        {
            var kind = Servers.For(settings)[s];
            if (RunResults.MedianOf(samples, kind, connections, inFlight) is not { } r) continue;
            double[] values = [r.P50Us / 1000, r.P99Us / 1000, r.P999Us / 1000];
            for (var p = 0; p < values.Length; p++)
                bars.Add(new Bar { Position = p + s * width, Value = values[p], FillColor = Colors[kind], Size = width * 0.95 });
        }
        plot.Add.Bars(bars);
        foreach (var kind in Servers.For(settings))
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = Servers.Label(kind), FillColor = Colors[kind] });
        plot.Axes.Bottom.SetTicks(names.Select((_, i) => i + width).ToArray(), names);
        plot.Title($"Latency, {connections} connection{(connections == 1 ? "" : "s")} × {inFlight} in flight");
        plot.YLabel("ms (median of runs)");
        plot.Axes.Margins(bottom: 0);
        plot.ShowLegend(Alignment.UpperLeft);
    }
}
