using System.Diagnostics;
using Pmcp.Actors.Tests.Support;

namespace Pmcp.Actors.Tests.Robustness.Hostile;

/// <summary>
/// The process's resident memory and thread count before a probe, and a check that both come back near it afterwards.
/// The server runs in this process, so a probe that leaks (threads stuck on a hostile peer, buffers kept for it) shows
/// here. The allowances are wide on purpose: the thread pool keeps idle threads for a while and the GC keeps memory it
/// may reuse, so only growth a leak would cause, well beyond those, fails; a busy machine cannot make it flake.
/// </summary>
internal sealed class ResourceGauge
{
    /// <summary>More resident memory than at the start that still counts as "back".</summary>
    public const long RssAllowanceBytes = 256L * 1024 * 1024;

    /// <summary>More threads than at the start that still count as "back".</summary>
    public const int ThreadAllowance = 40;

    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(45);

    private ResourceGauge(long rss, int threads)
    {
        Rss = rss;
        Threads = threads;
    }

    public long Rss { get; }

    public int Threads { get; }

    public static ResourceGauge Now()
    {
        using var process = Process.GetCurrentProcess();
        return new ResourceGauge(process.WorkingSet64, process.Threads.Count);
    }

    /// <summary>Waits (to a deadline) for memory and threads to come back within the allowances of this reading.</summary>
    public async Task AssertBackAsync(Action<string>? log = null)
    {
        var now = Now();
        await Deadline.UntilAsync(() =>
            {
                // Memory the GC could give back is given back first: a probe's large garbage is not a leak.
                GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                GC.WaitForPendingFinalizers();
                now = Now();
                return Task.FromResult(now.Rss <= Rss + RssAllowanceBytes && now.Threads <= Threads + ThreadAllowance);
            },
            () => $"resources did not come back: RSS {Rss / 1048576} -> {now.Rss / 1048576} MiB (allowed +{RssAllowanceBytes / 1048576}), threads {Threads} -> {now.Threads} (allowed +{ThreadAllowance})",
            SettleTimeout,
            pollInterval: TimeSpan.FromMilliseconds(500)); // each check is a full compacting collection
        log?.Invoke($"resources: RSS {Rss / 1048576} -> {now.Rss / 1048576} MiB, threads {Threads} -> {now.Threads}");
    }
}
