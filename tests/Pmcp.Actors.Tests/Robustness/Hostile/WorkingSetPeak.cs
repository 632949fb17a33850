using System.Diagnostics;

namespace Pmcp.Actors.Tests.Robustness.Hostile;

/// <summary>
/// The highest working set of the test process while a probe runs, read every 50 ms from its start until
/// <see cref="StopAsync"/>, with whatever else the probe wants read at the same moments (<paramref name="alsoSample"/>).
/// </summary>
internal sealed class WorkingSetPeak(Action? alsoSample = null)
{
    private readonly CancellationTokenSource _stop = new();
    private readonly long _start = Current();
    private long _peak;
    private Task? _sampling;

    /// <summary>How far the working set rose above where it was when this was made.</summary>
    public long Growth => Math.Max(0, Interlocked.Read(ref _peak) - _start);

    public WorkingSetPeak Start()
    {
        _peak = _start;
        _sampling = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                var now = Current();
                if (now > Interlocked.Read(ref _peak)) Interlocked.Exchange(ref _peak, now);
                alsoSample?.Invoke();
                await Task.Delay(50); // the sampling interval, not a wait for anything
            }
        });
        return this;
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        if (_sampling is not null) await _sampling;
    }

    private static long Current()
    {
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }
}
