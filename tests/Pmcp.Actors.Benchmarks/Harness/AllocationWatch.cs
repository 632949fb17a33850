using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace Pmcp.Actors.Benchmarks.Harness;

/// <summary>
/// A process's allocations by type and its garbage collections by generation, from its own GC events at verbose level.
/// The runtime raises one <c>GCAllocationTick</c> for about every 100 KB a thread allocates, naming the type that crossed
/// the mark, so over many calls the sums per type are a sample of where the bytes went, not an exact count.
/// </summary>
internal sealed class AllocationWatch
{
    private readonly Dictionary<string, long> _byType = [];
    private readonly int[] _collections = new int[3];
    private GcEventSession? _session;
    private long _bytes;

    /// <summary>What the watch saw: bytes (sampled) in all and by type, and the collections of each generation.</summary>
    public sealed record Seen(long Bytes, IReadOnlyDictionary<string, long> ByType, IReadOnlyList<int> Collections);

    /// <summary>Starts watching <paramref name="pid"/>; <paramref name="kinds"/> picks the heaps counted (small, large, pinned).</summary>
    public static AllocationWatch Start(int pid, params GCAllocationKind[] kinds)
    {
        var watch = new AllocationWatch();
        watch._session = GcEventSession.Start(pid, EventLevel.Verbose, clr =>
        {
            clr.GCAllocationTick += e =>
            {
                if (kinds.Length > 0 && !kinds.Contains(e.AllocationKind)) return;
                var type = e.TypeName ?? "?";
                watch._bytes += e.AllocationAmount64;
                watch._byType[type] = watch._byType.GetValueOrDefault(type) + e.AllocationAmount64;
            };
            clr.GCStart += e =>
            {
                if (e.Depth is >= 0 and <= 2) watch._collections[e.Depth]++;
            };
        });
        return watch;
    }

    public async Task<Seen> StopAsync()
    {
        await _session!.StopAsync().ConfigureAwait(false);
        return new Seen(_bytes, _byType, _collections);
    }
}
