using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Pmcp.Actors.Tests.Robustness.Hostile;

/// <summary>
/// What a probe cost the garbage collector, for its output (not asserted): gen2 collections, pauses, and the bytes put
/// on the large object heap (objects of 85,000 bytes and up, which only a gen2 collection frees), by type. The large
/// object bytes are read from the runtime's own allocation ticks (<c>GCAllocationTick</c>: one event per 100 KB
/// allocated of a kind, each with the bytes since the last), through an in-process listener; the probes run alone
/// (<see cref="HostileCollection"/>), so what the process allocates is the probe's, its server's and its canary's.
/// </summary>
internal sealed class GcGauge : EventListener
{
    private const int AllocationTickEventId = 10;
    private const long GcKeyword = 0x1;
    private const uint LargeObjectHeap = 1; // AllocationKind: 0 small, 1 large, 2 pinned

    // Set before the base constructor runs, which may already report the runtime's event source.
    private readonly ConcurrentDictionary<string, long> _largeByType = new();
    private readonly int _gen2Before = GC.CollectionCount(2);
    private readonly TimeSpan _pausedBefore = GC.GetTotalPauseDuration();
    private long _large;

    /// <summary>Bytes allocated on the large object heap since the gauge started.</summary>
    public long LargeObjectBytes => Interlocked.Read(ref _large);

    public string Summary
    {
        get
        {
            var types = string.Join(", ", _largeByType.OrderByDescending(t => t.Value).Take(4).Select(t => $"{t.Key} {t.Value / 1048576} MiB"));
            return $"gc: {GC.CollectionCount(2) - _gen2Before} gen2 collections, pauses {(GC.GetTotalPauseDuration() - _pausedBefore).TotalMilliseconds:0} ms, " +
                   $"large objects {LargeObjectBytes / 1048576} MiB ({types})";
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)GcKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventId != AllocationTickEventId || eventData.Payload is not { } payload || eventData.PayloadNames is not { } names) return;
        var kind = names.IndexOf("AllocationKind");
        var amount = names.IndexOf("AllocationAmount64");
        if (kind < 0 || amount < 0 || Convert.ToUInt32(payload[kind], System.Globalization.CultureInfo.InvariantCulture) != LargeObjectHeap) return;
        var bytes = Convert.ToInt64(payload[amount], System.Globalization.CultureInfo.InvariantCulture);
        Interlocked.Add(ref _large, bytes);
        var type = names.IndexOf("TypeName") is var t and >= 0 && payload[t] is string name ? name : "?";
        _largeByType.AddOrUpdate(type, bytes, (_, sum) => sum + bytes);
    }
}
