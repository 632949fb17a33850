namespace Pmcp.Actors.Transport;

/// <summary>
/// The memory all connections' queued outbound messages hold together, against
/// <see cref="McpServerOptions.MaxOutboundBytesTotal"/>. Each connection's <see cref="OutboundBytes"/> adds to and takes
/// from <see cref="Queued"/> (one interlocked add per message: the hot path takes no lock). When a message takes the sum
/// past the budget, a relief pass on the thread pool cuts the connections that hold the most, largest first, until what
/// the others hold fits: those are the clients that do not read, since a client that reads keeps its queue near empty.
/// A cut connection's bytes leave the sum at once (it takes no more messages; what it still holds is freed when it
/// closes, within <see cref="McpServerOptions.CloseTimeout"/>), so one pass never cuts more than it must.
/// </summary>
internal sealed class ServerOutboundBudget(long budget)
{
    private readonly Lock _lock = new();
    private readonly HashSet<OutboundBytes> _connections = [];
    private long _queued;
    private long _cut;
    private int _relieving;

    public long Budget => budget;

    /// <summary>The bytes queued over all connections, not yet written.</summary>
    public long Queued => Interlocked.Read(ref _queued);

    /// <summary>How many connections were cut to bring the sum back within the budget since the server started.</summary>
    public long Cut => Interlocked.Read(ref _cut);

    /// <summary>How many connections it keeps to pick from: those that queued a message and are not done.</summary>
    internal int Tracked
    {
        get
        {
            lock (_lock) return _connections.Count;
        }
    }

    /// <summary>True while a relief pass is queued or running.</summary>
    internal bool IsRelieving => Volatile.Read(ref _relieving) != 0;

    internal void Register(OutboundBytes connection)
    {
        // Under the lock that Unregister takes after the release: a connection released meanwhile is not kept.
        lock (_lock)
        {
            if (!connection.IsReleased) _connections.Add(connection);
        }
    }

    internal void Unregister(OutboundBytes connection)
    {
        lock (_lock) _connections.Remove(connection);
    }

    internal void Add(long size)
    {
        if (Interlocked.Add(ref _queued, size) > budget) RequestRelief();
    }

    internal void Remove(long size) => Interlocked.Add(ref _queued, -size);

    /// <summary>Starts one relief pass unless one is on its way; off the caller's thread, which is a connection's sender.</summary>
    private void RequestRelief()
    {
        if (Interlocked.CompareExchange(ref _relieving, 1, 0) != 0) return;
        ThreadPool.UnsafeQueueUserWorkItem(static self => self.Relieve(), this, preferLocal: false);
    }

    /// <summary>Cuts the connections holding the most until the sum, without theirs, fits the budget.</summary>
    internal void Relieve()
    {
        try
        {
            var excess = Queued - budget;
            if (excess <= 0) return;
            (OutboundBytes Connection, long Queued)[] holders;
            lock (_lock) holders = [.. _connections.Select(c => (c, c.Queued)).Where(h => h.Queued > 0)];
            Array.Sort(holders, static (a, b) => b.Queued.CompareTo(a.Queued));
            foreach (var (connection, queued) in holders)
            {
                if (excess <= 0) break;
                if (!connection.CutByServer()) continue;
                Interlocked.Increment(ref _cut);
                excess -= queued;
            }
        }
        finally
        {
            Volatile.Write(ref _relieving, 0);
        }
    }
}
