using System.Diagnostics;

namespace Pmcp.Actors.Tests.Robustness.Hostile;

/// <summary>
/// Measures when this whole process got no CPU from the machine: a thread of its own (not the thread pool) sleeps
/// 10 ms at a time, and the part of a late wake-up (more than 50 ms late) that neither the runtime's GC pauses nor the
/// CPU the process itself used in the meantime explain is a stall. On a busy shared machine such stalls hold every
/// thread back alike, the server's and the canary's. A GC pause, or the process's own threads kept busy by a hostile
/// client, is not one, and still counts against the server.
/// </summary>
internal sealed class StallGauge : IDisposable
{
    private const int TickMilliseconds = 10;
    private static readonly long Late = Stopwatch.Frequency / 20; // 50 ms

    private readonly List<(long From, long To)> _stalls = [];
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _stopped = new();

    public StallGauge()
    {
        _thread = new Thread(Watch) { IsBackground = true, Name = "stall gauge" };
        _thread.Start();
    }

    /// <summary>How long the process stood stalled between two <see cref="Stopwatch.GetTimestamp"/> readings.</summary>
    public TimeSpan StalledBetween(long from, long to)
    {
        long stalled = 0;
        lock (_stalls)
        {
            foreach (var (stallFrom, stallTo) in _stalls)
            {
                var overlap = Math.Min(to, stallTo) - Math.Max(from, stallFrom);
                if (overlap > 0) stalled += overlap;
            }
        }
        return Stopwatch.GetElapsedTime(0, stalled);
    }

    public void Dispose()
    {
        _stopped.Set();
        _thread.Join();
        _stopped.Dispose();
    }

    private void Watch()
    {
        var tick = Stopwatch.Frequency * TickMilliseconds / 1000;
        while (true)
        {
            var before = Stopwatch.GetTimestamp();
            var gcBefore = GC.GetTotalPauseDuration();
            var cpuBefore = Environment.CpuUsage.TotalTime;
            // The tick is the clock being measured, not a wait for something: it ends early only when the gauge stops.
            if (_stopped.Wait(TickMilliseconds)) return;
            var after = Stopwatch.GetTimestamp();
            var explained = (GC.GetTotalPauseDuration() - gcBefore) + (Environment.CpuUsage.TotalTime - cpuBefore);
            var stalled = after - before - tick - (long)(explained.TotalSeconds * Stopwatch.Frequency);
            if (stalled <= Late) continue;
            lock (_stalls) _stalls.Add((after - stalled, after));
        }
    }
}
