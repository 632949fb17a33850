namespace Pmcp.Actors.Benchmarks.Harness;

/// <summary>How much the harness runs; <see cref="Quick"/> keeps the whole of <c>all --quick</c> under two minutes.</summary>
internal sealed record HarnessSettings
{
    public bool Quick { get; init; }
    public int Repetitions { get; init; } = 3;
    public double WarmupSeconds { get; init; } = 2;
    public double Seconds { get; init; } = 6;

    /// <summary>
    /// Each fresh server first serves this long at 16 × 4, unmeasured: tiered JIT compiles Akka, Newtonsoft and Kestrel
    /// code for several seconds after start, and a short warm-up would measure the JIT, not the server.
    /// </summary>
    public double ServerWarmupSeconds { get; init; } = 10;
    public int InFlight { get; init; } = 4;
    public int[] Sweep { get; init; } = [1, 4, 16, 64, 256];

    /// <summary>The connection count the throughput targets are read at: 16 (× <see cref="InFlight"/>) when the sweep has it.</summary>
    public int TargetConnections => Sweep.Contains(16) ? 16 : Sweep.Max();

    /// <summary>
    /// Runs of the target point (<see cref="TargetConnections"/> × <see cref="InFlight"/>) per repetition, the order of the
    /// servers rotating. The SDK's CPU per call moves from 55 to 71 µs from one run to the next on this machine, and with
    /// three draws a full run's ratio to it read 5.0× twice while five draws right after read 4.5×.
    /// </summary>
    public int TargetRunsPerRepetition { get; init; } = 3;

    /// <summary>
    /// Runs of the 1 × 1 latency point per repetition, the servers alternating in each. At one call in flight every
    /// server on this machine lands in a fast or a slow mode from one load generator run to the next (42 or 58 µs for
    /// the same build), so a median of three runs could land on either mode; nine runs bring it near what longer series show.
    /// </summary>
    public int LatencyRunsPerRepetition { get; init; } = 3;
    public int MemoryConnections { get; init; } = 10_000;
    public int MemoryRepetitions { get; init; } = 3;
    public int ScaleConnections { get; init; } = 18_000;
    public double ScaleHoldSeconds { get; init; } = 60;
    public int ScaleCallsPerConnection { get; init; } = 3;
    public bool ScaleBaseline { get; init; } = true;
    public bool Micro { get; init; } = true;
    /// <summary>Null: each server with the GC of its own runtime configuration (workstation GC for all); true/false: all with Server/workstation GC.</summary>
    public bool? ServerGc { get; init; }
    public bool SdkStateful { get; init; }

    /// <summary>Run the WebSocket table (throughput, latency, memory, scale); <c>--transport http</c> turns it off.</summary>
    public bool WebSocket { get; init; } = true;

    /// <summary>Run the Streamable HTTP table (throughput, latency, memory per idle session); <c>--transport ws</c> turns it off.</summary>
    public bool Http { get; init; } = true;
    public string OutDir { get; init; } = "";

    /// <summary>Also run the thin baseline with one actor hop per message in the WebSocket table (<c>throughput --actor-hop-baseline</c>).</summary>
    public bool ActorHopBaseline { get; init; }

    /// <summary>Another Pmcp.Actors.Server.dll to run instead of the one built beside the harness.</summary>
    public string? PmcpDll { get; init; }

    /// <summary>A second Pmcp.Actors.Server.dll to measure beside the first in the same run (before/after a change).</summary>
    public string? CompareDll { get; init; }

    public static HarnessSettings QuickSettings(string outDir) => new()
    {
        Quick = true,
        Repetitions = 1,
        WarmupSeconds = 1,
        Seconds = 3,
        ServerWarmupSeconds = 5,
        Sweep = [1, 16],
        LatencyRunsPerRepetition = 1,
        TargetRunsPerRepetition = 1,
        MemoryConnections = 2_000,
        MemoryRepetitions = 1,
        ScaleConnections = 2_000,
        ScaleHoldSeconds = 5,
        ScaleCallsPerConnection = 1,
        ScaleBaseline = false,
        Micro = false,
        OutDir = outDir,
    };
}
