using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;

namespace Pmcp.Actors.Benchmarks.Harness;

/// <summary>
/// A server child's garbage collections over a run, read from the runtime's own GC events through an EventPipe session
/// (the diagnostics port every .NET process opens): how many collections, and how long the runtime held the process's
/// threads suspended for them (from the start of a suspension to the end of the restart).
/// </summary>
internal sealed class GcWatch
{
    private readonly System.Diagnostics.Stopwatch _elapsed = System.Diagnostics.Stopwatch.StartNew();
    private GcEventSession? _session;
    private int _collections;
    private double _pausedMs;
    private double _suspendedAt = -1;

    private GcWatch()
    {
    }

    /// <summary>Starts watching <paramref name="pid"/>; null (no figures) when its diagnostics port does not answer.</summary>
    public static GcWatch? TryStart(int pid)
    {
        var watch = new GcWatch();
        try
        {
            watch._session = GcEventSession.Start(pid, EventLevel.Informational, clr =>
            {
                clr.GCStart += _ => watch._collections++;
                clr.GCSuspendEEStart += e => watch._suspendedAt = e.TimeStampRelativeMSec;
                clr.GCRestartEEStop += e =>
                {
                    if (watch._suspendedAt >= 0) watch._pausedMs += e.TimeStampRelativeMSec - watch._suspendedAt;
                    watch._suspendedAt = -1;
                };
            });
            return watch;
        }
        catch (Exception ex) when (ex is ServerNotAvailableException or UnsupportedCommandException or IOException or TimeoutException)
        {
            return null;
        }
    }

    /// <summary>
    /// Ends the session: collections per second and the share of the time the threads were suspended; NaN for both when
    /// the process went away first (the caller reports that itself).
    /// </summary>
    public async Task<(double PerSecond, double PausedPercent)> StopAsync()
    {
        var seconds = _elapsed.Elapsed.TotalSeconds;
        try
        {
            await _session!.StopAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ServerNotAvailableException or IOException or EndOfStreamException)
        {
            return (double.NaN, double.NaN);
        }
        return (_collections / seconds, _pausedMs / (seconds * 1000) * 100);
    }
}
