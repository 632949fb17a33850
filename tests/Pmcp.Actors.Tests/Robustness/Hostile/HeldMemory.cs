namespace Pmcp.Actors.Tests.Robustness.Hostile;

/// <summary>
/// What the process's GC heap keeps alive, read after each full (gen2) collection: the memory a server holds, apart from
/// the garbage that waits for the next collection, whose size is set by when the GC happens to run (and so by how busy
/// the machine is) rather than by what the server keeps. Sampled often enough to see each background and blocking
/// gen2 collection; one missed between two samples only hides a figure that the next one repeats or passes.
/// </summary>
internal sealed class HeldMemory
{
    private readonly long _before;
    private long _lastBackground;
    private long _lastBlocking;

    /// <summary>Takes the starting point: what a full collection leaves now.</summary>
    public HeldMemory()
    {
        _before = GC.GetTotalMemory(forceFullCollection: true);
        _lastBackground = GC.GetGCMemoryInfo(GCKind.Background).Index;
        _lastBlocking = GC.GetGCMemoryInfo(GCKind.FullBlocking).Index;
    }

    /// <summary>How many gen2 collections have been read since the start.</summary>
    public int FullCollections { get; private set; }

    /// <summary>The most any of them kept above the starting point.</summary>
    public long MostGrowth { get; private set; }

    /// <summary>Reads the newest background and blocking gen2 collections, if they are new.</summary>
    public void Sample()
    {
        Read(GC.GetGCMemoryInfo(GCKind.Background), ref _lastBackground);
        Read(GC.GetGCMemoryInfo(GCKind.FullBlocking), ref _lastBlocking);
    }

    private void Read(GCMemoryInfo info, ref long lastIndex)
    {
        if (info.Index == lastIndex) return;
        lastIndex = info.Index;
        FullCollections++;
        // Heap size after the collection, less the free space between live objects: what survived it.
        MostGrowth = Math.Max(MostGrowth, info.HeapSizeBytes - info.FragmentedBytes - _before);
    }
}
