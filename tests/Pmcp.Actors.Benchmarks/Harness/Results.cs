using Pmcp.Actors.Benchmarks.Load;

namespace Pmcp.Actors.Benchmarks.Harness;

/// <summary>One load generator run against one server.</summary>
internal sealed record LoadSample(ServerKind Server, int Repetition, LoadResult Result);

/// <summary>
/// RSS of a fresh server before and after it holds N idle initialized connections (or, over HTTP, sessions). Over HTTP,
/// <see cref="StillAnswering"/> is how many sessions still answered a call after the reading: a server that had let
/// some go (an idle-session cap) would otherwise look cheaper than it is.
/// </summary>
internal sealed record MemorySample(ServerKind Server, int Repetition, long RssBeforeBytes, long RssAfterBytes, int Connections, int Failed, long? StillAnswering = null)
{
    public double BytesPerConnection => Connections == 0 ? double.NaN : (RssAfterBytes - RssBeforeBytes) / (double)Connections;
}

internal sealed record ScaleResult(ServerKind Server)
{
    public int Target { get; init; }
    public int Opened { get; init; }
    public int Failed { get; init; }
    public string? FirstError { get; init; }
    public double OpenSeconds { get; init; }
    public double AcceptPerSecond { get; init; }
    public long RssIdleBytes { get; init; }
    public long RssOpenBytes { get; init; }
    public long RssPeakBytes { get; init; }
    public double HeldSeconds { get; init; }
    public int DroppedWhileHeld { get; init; }
    public int ServerOpenFiles { get; init; }
    public long Calls { get; init; }
    public long CallErrors { get; init; }
    public double CallsPerSecond { get; init; }
    public double CallP50Us { get; init; }
    public double CallP99Us { get; init; }
    public int DroppedAtEnd { get; init; }
    public string? Failure { get; init; }
}

/// <summary>One BenchmarkDotNet row: mean time and bytes allocated per operation.</summary>
internal sealed record MicroResult(string Type, string Method, double MeanNs, double? AllocatedBytes, bool IsBaseline);

internal sealed class RunResults
{
    public DateTimeOffset Started { get; } = DateTimeOffset.Now;
    public TimeSpan Elapsed { get; set; }
    public List<LoadSample> Throughput { get; } = [];
    public List<LoadSample> Latency { get; } = [];
    public List<MemorySample> Memory { get; } = [];
    public List<ScaleResult> Scale { get; } = [];
    public List<MicroResult> Micro { get; } = [];
    public List<string> Problems { get; } = [];

    /// <summary>Servers of a table that could not be measured in this run, and why (the 2026-07-28 row until the server speaks that era).</summary>
    public Dictionary<ServerKind, string> NotMeasured { get; } = [];

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).OrderBy(v => v).ToArray();
        if (sorted.Length == 0) return double.NaN;
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Medians over repetitions of every figure of one (server, connections, in-flight) point.</summary>
    public static LoadResult? MedianOf(IEnumerable<LoadSample> samples, ServerKind server, int connections, int inFlight)
    {
        var rows = samples.Where(s => s.Server == server && s.Result.Connections == connections && s.Result.InFlight == inFlight)
            .Select(s => s.Result).ToArray();
        if (rows.Length == 0) return null;
        return new LoadResult
        {
            Transport = rows[0].Transport,
            Connections = connections,
            InFlight = inFlight,
            Seconds = rows[0].Seconds,
            Calls = (long)Median(rows.Select(r => (double)r.Calls)),
            Errors = rows.Sum(r => r.Errors),
            CallsPerSecond = Median(rows.Select(r => r.CallsPerSecond)),
            P50Us = Median(rows.Select(r => r.P50Us)),
            P99Us = Median(rows.Select(r => r.P99Us)),
            P999Us = Median(rows.Select(r => r.P999Us)),
            MaxUs = Median(rows.Select(r => r.MaxUs)),
            ServerCpuUsPerCall = Median(rows.Select(r => r.ServerCpuUsPerCall)),
            ServerGcsPerSecond = Median(rows.Select(r => r.ServerGcsPerSecond)),
            ServerGcPausePercent = Median(rows.Select(r => r.ServerGcPausePercent)),
            Failure = rows.Select(r => r.Failure).FirstOrDefault(f => f is not null),
        };
    }
}
