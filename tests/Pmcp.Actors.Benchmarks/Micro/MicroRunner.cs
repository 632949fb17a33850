using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Pmcp.Actors.Benchmarks.Harness;

namespace Pmcp.Actors.Benchmarks.Micro;

/// <summary>Runs the BenchmarkDotNet classes in this process (no generated project to build) and returns their rows.</summary>
internal static class MicroRunner
{
    public enum Length
    {
        Dry,
        Short,
        Default,
    }

    public static IReadOnlyList<MicroResult> Run(bool quick, string[] filters, TextWriter log, Length? length = null)
    {
        var job = (length ?? (quick ? Length.Dry : Length.Short)) switch
        {
            Length.Dry => Job.Dry,
            Length.Short => Job.ShortRun,
            _ => Job.Default,
        };
        var config = ManualConfig.CreateEmpty()
            .AddJob(job.WithToolchain(InProcessEmitToolchain.Instance))
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddLogger(ConsoleLogger.Default)
            .AddExporter(MarkdownExporter.GitHub)
            .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "pmcp-benchmarkdotnet"));
        if (filters.Length > 0) config = config.AddFilter(new BenchmarkDotNet.Filters.GlobFilter(filters));

        var summaries = BenchmarkRunner.Run([typeof(HotPathBenchmarks), typeof(ActorPathBenchmarks), typeof(TelemetryBenchmarks)], config);
        var rows = new List<MicroResult>();
        foreach (var summary in summaries)
        {
            foreach (var report in summary.Reports)
            {
                var benchmark = report.BenchmarkCase;
                var mean = report.ResultStatistics?.Mean ?? double.NaN;
                var allocated = report.GcStats.GetBytesAllocatedPerOperation(benchmark);
                rows.Add(new MicroResult(benchmark.Descriptor.Type.Name, benchmark.Descriptor.WorkloadMethodDisplayInfo, mean, allocated,
                    benchmark.Descriptor.Baseline));
            }
        }
        foreach (var r in rows) log.WriteLine($"   {r.Type}.{r.Method}: {r.MeanNs:0.0} ns, {r.AllocatedBytes} B");
        return rows;
    }
}
