using System.Diagnostics;
using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;

namespace Pmcp.Actors.Benchmarks.Harness;

/// <summary>
/// A server child's garbage collections over a run, read from the runtime's own GC events through an EventPipe session
/// (the diagnostics port every .NET process opens): how many collections, and how long the runtime held the process's
/// threads suspended for them (from the start of a suspension to the end of the restart).
/// </summary>
internal sealed class GcWatch
{
    private readonly EventPipeSession _session;
    private readonly Task _reading;
    private readonly Stopwatch _elapsed = Stopwatch.StartNew();
    private int _collections;
    private double _pausedMs;
    private double _suspendedAt = -1;

    private GcWatch(EventPipeSession session)
    {
        _session = session;
        var source = new EventPipeEventSource(session.EventStream);
        source.Clr.GCStart += _ => _collections++;
        source.Clr.GCSuspendEEStart += e => _suspendedAt = e.TimeStampRelativeMSec;
        source.Clr.GCRestartEEStop += e =>
        {
            if (_suspendedAt >= 0) _pausedMs += e.TimeStampRelativeMSec - _suspendedAt;
            _suspendedAt = -1;
        };
        // The events arrive on this task; they are read only after it ends (Stop), so no lock is needed.
        _reading = Task.Run(source.Process);
    }

    /// <summary>Starts watching <paramref name="pid"/>; null (no figures) when its diagnostics port does not answer.</summary>
    public static GcWatch? TryStart(int pid)
    {
        try
        {
            var provider = new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, (long)ClrTraceEventParser.Keywords.GC);
            return new GcWatch(new DiagnosticsClient(pid).StartEventPipeSession([provider], requestRundown: false));
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
            await _session.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await _reading.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ServerNotAvailableException or IOException or EndOfStreamException)
        {
            return (double.NaN, double.NaN);
        }
        finally
        {
            _session.Dispose();
        }
        return (_collections / seconds, _pausedMs / (seconds * 1000) * 100);
    }
}
