using System.Text.Json;
using System.Text.Json.Serialization;
using HdrHistogram;

namespace Pmcp.Actors.Benchmarks.Load;

/// <summary>What one load generator run measured; printed by the child as one JSON line and read back by the harness.</summary>
public sealed record LoadResult
{
    public string Transport { get; init; } = "";
    public int Connections { get; init; }
    public int InFlight { get; init; }
    public double Seconds { get; init; }
    public long Calls { get; init; }
    public long Errors { get; init; }

    /// <summary>Answers over the whole run, warm-up included (for CPU per call).</summary>
    public long TotalCalls { get; init; }

    /// <summary>Server CPU time (user + system) over the whole run divided by <see cref="TotalCalls"/>; filled in by the harness.</summary>
    public double ServerCpuUsPerCall { get; init; } = double.NaN;

    /// <summary>The server's garbage collections per second over the whole run; filled in by the harness (<see cref="Harness.GcWatch"/>).</summary>
    public double ServerGcsPerSecond { get; init; } = double.NaN;

    /// <summary>Share of the run's wall time the server's threads were suspended for collections, in %; filled in by the harness.</summary>
    public double ServerGcPausePercent { get; init; } = double.NaN;
    public double CallsPerSecond { get; init; }
    public double P50Us { get; init; }
    public double P99Us { get; init; }
    public double P999Us { get; init; }
    public double MaxUs { get; init; }
    public string? Failure { get; init; }

    public static LoadResult From(string transport, int connections, int inFlight, double seconds, HistogramBase latencyUs, long errors, string? failure = null,
        long totalCalls = 0) => new()
    {
        TotalCalls = totalCalls,
        Transport = transport,
        Connections = connections,
        InFlight = inFlight,
        Seconds = seconds,
        Calls = latencyUs.TotalCount,
        Errors = errors,
        CallsPerSecond = latencyUs.TotalCount / seconds,
        P50Us = latencyUs.TotalCount == 0 ? 0 : latencyUs.GetValueAtPercentile(50),
        P99Us = latencyUs.TotalCount == 0 ? 0 : latencyUs.GetValueAtPercentile(99),
        P999Us = latencyUs.TotalCount == 0 ? 0 : latencyUs.GetValueAtPercentile(99.9),
        MaxUs = latencyUs.TotalCount == 0 ? 0 : latencyUs.GetMaxValue(),
        Failure = failure,
    };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public static LoadResult? FromJson(string line) => JsonSerializer.Deserialize<LoadResult>(line, JsonOptions);

    internal static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}

/// <summary>Latencies in microseconds, from 1 µs to 2 minutes, three significant digits.</summary>
internal static class Latency
{
    public static LongConcurrentHistogram NewHistogram() => new(1, 120_000_000, 3);

    public static long MicrosecondsSince(long startTimestamp) =>
        Math.Max(1, (long)((System.Diagnostics.Stopwatch.GetTimestamp() - startTimestamp) * 1_000_000.0 / System.Diagnostics.Stopwatch.Frequency));
}
