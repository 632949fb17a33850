namespace Pmcp.Actors.Tests.Robustness.Hostile;

/// <summary>
/// What the process's GC heap kept through each collection during a probe: its size after the collection, less the free
/// space between objects. After a gen2 collection that is what is alive; after a younger one it is that plus the older
/// garbage not yet collected, so the figure errs high, never low. It leaves out what the working set also holds (the
/// heap's growth room, and freed memory not yet given back), which is set by when the GC happens to run and so by how
/// busy the machine is, rather than by what the server keeps. A collection missed between two samples hides only a
/// figure that the next one repeats or passes while memory is still held.
/// </summary>
internal sealed class HeldMemory
{
    private static readonly GCKind[] Kinds = [GCKind.Ephemeral, GCKind.Background, GCKind.FullBlocking];

    private readonly long _before;
    private readonly long[] _lastIndex = new long[Kinds.Length];

    /// <summary>Takes the starting point: what a full collection leaves now.</summary>
    public HeldMemory()
    {
        _before = GC.GetTotalMemory(forceFullCollection: true);
        for (var i = 0; i < Kinds.Length; i++) _lastIndex[i] = GC.GetGCMemoryInfo(Kinds[i]).Index;
    }

    /// <summary>How many collections have been read since the start.</summary>
    public int Collections { get; private set; }

    /// <summary>The most the heap kept through any of them, above the starting point.</summary>
    public long MostGrowth { get; private set; }

    /// <summary>Reads the newest collection of each kind, if it is new.</summary>
    public void Sample()
    {
        for (var i = 0; i < Kinds.Length; i++)
        {
            var info = GC.GetGCMemoryInfo(Kinds[i]);
            if (info.Index == _lastIndex[i]) continue;
            _lastIndex[i] = info.Index;
            Collections++;
            MostGrowth = Math.Max(MostGrowth, info.HeapSizeBytes - info.FragmentedBytes - _before);
        }
    }
}
