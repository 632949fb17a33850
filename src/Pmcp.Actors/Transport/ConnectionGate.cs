namespace Pmcp.Actors.Transport;

/// <summary>
/// Admission before the upgrade (or before a Streamable HTTP session starts). Open sockets and HTTP sessions count
/// together against <see cref="McpServerOptions.MaxConnections"/>; at that limit an idle session is evicted to make room
/// (one that never ran a call first, then the least recently active: <see cref="IdleToEvict"/>), and only when none is idle is the newcomer refused (503). Each client (an authenticated
/// caller, or else an address: README, "Security") may hold <see cref="McpServerOptions.MaxConnectionsPerClient"/>
/// places and start <see cref="McpServerOptions.MaxUpgradesPerWindow"/> sessions per
/// <see cref="McpServerOptions.UpgradeRateLimitWindow"/> (429 with <c>Retry-After</c>), so that one client cannot take
/// the server's capacity. Once shutdown begins the door is closed for good (503).
/// </summary>
internal sealed class ConnectionGate(McpServerOptions options)
{
    /// <summary>What a client over its own cap of open sessions is told to wait before it tries again.</summary>
    internal static readonly TimeSpan ClientFullRetryAfter = TimeSpan.FromSeconds(5);

    // Past this many windows of start counts, those whose window ended are forgotten (a flood of addresses cannot grow it for long).
    private const int StartWindowsBeforePrune = 4096;

    private readonly object _lock = new();
    private readonly Dictionary<string, int> _perClient = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StartWindow> _starts = new(StringComparer.Ordinal);
    private readonly HashSet<GatePlace> _held = [];
    private int _open;
    private long _evicted;
    private volatile bool _closed;

    private sealed class StartWindow(long startedAt)
    {
        public long StartedAt { get; set; } = startedAt;

        public int Count { get; set; }
    }

    public int OpenConnections => Volatile.Read(ref _open);

    /// <summary>How many idle sessions were ended to make room since the server started.</summary>
    public long Evicted => Interlocked.Read(ref _evicted);

    public bool IsClosed => _closed;

    /// <summary>
    /// A place for <paramref name="client"/>, or a refusal. <paramref name="startsSession"/>: the request starts a session
    /// (a WebSocket upgrade, an initialize POST), which counts against the client's session starts; a stateless 2026
    /// request holds a place only while it runs and does not.
    /// </summary>
    internal GateAdmission TryEnter(string client, bool startsSession)
    {
        GatePlace? evicted;
        GateAdmission admission;
        lock (_lock)
        {
            admission = Admit(client, startsSession, out evicted);
        }
        if (evicted is not null)
        {
            Interlocked.Increment(ref _evicted);
            evicted.Session!.Evict(); // outside the lock: ending a session calls back into the gate
        }
        return admission;
    }

    private GateAdmission Admit(string client, bool startsSession, out GatePlace? evicted)
    {
        evicted = null;
        if (_closed) return GateAdmission.Refuse(GateRefusal.ShuttingDown, "The server is shutting down.");

        var perClient = options.MaxConnectionsPerClient;
        _perClient.TryGetValue(client, out var held);
        if (perClient > 0 && held >= perClient)
            return GateAdmission.Refuse(GateRefusal.ClientFull, $"This client has {held} sessions open, its limit (MaxConnectionsPerClient); end one before starting another.", ClientFullRetryAfter);

        var now = Environment.TickCount64;
        if (startsSession && options.MaxUpgradesPerWindow > 0 && !TakeStart(client, now, out var retryAfter))
            return GateAdmission.Refuse(GateRefusal.TooManyStarts, $"Too many sessions started by this client: at most {options.MaxUpgradesPerWindow} per {options.UpgradeRateLimitWindow}.", retryAfter);

        if (_open >= options.MaxConnections)
        {
            evicted = IdleToEvict();
            if (evicted is null) return GateAdmission.Refuse(GateRefusal.Full, $"The server is at its connection limit ({options.MaxConnections}) and no session is idle.");
            Forget(evicted);
        }

        _open++;
        _perClient[client] = held + 1;
        return GateAdmission.Admit(new GatePlace(this, client));
    }

    /// <summary>Counts one session start of <paramref name="client"/> in its fixed window; false (and when to retry) when the window's starts are used up.</summary>
    private bool TakeStart(string client, long now, out TimeSpan retryAfter)
    {
        var window = (long)options.UpgradeRateLimitWindow.TotalMilliseconds;
        if (!_starts.TryGetValue(client, out var starts))
        {
            if (_starts.Count >= StartWindowsBeforePrune) PruneStartWindows(now, window);
            _starts[client] = starts = new StartWindow(now);
        }
        else if (now - starts.StartedAt >= window)
        {
            starts.StartedAt = now;
            starts.Count = 0;
        }

        if (starts.Count >= options.MaxUpgradesPerWindow)
        {
            retryAfter = TimeSpan.FromMilliseconds(Math.Max(1, starts.StartedAt + window - now));
            return false;
        }
        starts.Count++;
        retryAfter = TimeSpan.Zero;
        return true;
    }

    private void PruneStartWindows(long now, long window)
    {
        foreach (var (client, starts) in _starts)
        {
            if (now - starts.StartedAt >= window) _starts.Remove(client);
        }
    }

    /// <summary>
    /// The idle session to end: one that has run no call since its handshake if there is one, else any; of those, the one
    /// whose client was heard from longest ago. Null when none is idle. Recency alone is not enough: a client at work
    /// between its calls is idle too, and on a loaded machine its next call can reach the server after a burst of
    /// newer sockets that never do anything (likely how the hostile probe lost its canary in loaded full runs); those go first.
    /// </summary>
    private GatePlace? IdleToEvict()
    {
        GatePlace? chosen = null;
        var chosenHasCalled = true;
        var chosenActive = long.MaxValue;
        foreach (var place in _held)
        {
            var session = place.Session!;
            if (!session.IsIdle) continue;
            var hasCalled = session.HasCalled;
            var active = session.LastActive;
            var better = chosen is null
                || (chosenHasCalled && !hasCalled)
                || (chosenHasCalled == hasCalled && active < chosenActive);
            if (!better) continue;
            chosen = place;
            chosenHasCalled = hasCalled;
            chosenActive = active;
        }
        return chosen;
    }

    /// <summary>Takes the place back from a session being evicted (the lock is held).</summary>
    private void Forget(GatePlace place)
    {
        if (!place.TryMarkReleased()) return;
        Count(place);
    }

    internal void Holding(GatePlace place)
    {
        lock (_lock)
        {
            if (!place.IsReleased) _held.Add(place);
        }
    }

    internal void Released(GatePlace place)
    {
        lock (_lock) Count(place);
    }

    private void Count(GatePlace place)
    {
        _held.Remove(place);
        _open--;
        if (_perClient.TryGetValue(place.Client, out var held) && held > 1) _perClient[place.Client] = held - 1;
        else _perClient.Remove(place.Client);
    }

    public void CloseForShutdown() => _closed = true;
}

/// <summary>Why the gate refused a newcomer.</summary>
internal enum GateRefusal
{
    None,

    /// <summary>503: the server is shutting down.</summary>
    ShuttingDown,

    /// <summary>503: at <see cref="McpServerOptions.MaxConnections"/> with no idle session to evict.</summary>
    Full,

    /// <summary>429: the client holds <see cref="McpServerOptions.MaxConnectionsPerClient"/> places.</summary>
    ClientFull,

    /// <summary>429: the client started <see cref="McpServerOptions.MaxUpgradesPerWindow"/> sessions in this window.</summary>
    TooManyStarts,
}

/// <summary>The gate's answer: a place, or a refusal with its text and (for a 429) when to try again.</summary>
internal readonly record struct GateAdmission(GatePlace? Place, GateRefusal Refusal, string Text, TimeSpan RetryAfter)
{
    public static GateAdmission Admit(GatePlace place) => new(place, GateRefusal.None, "", TimeSpan.Zero);

    public static GateAdmission Refuse(GateRefusal refusal, string text, TimeSpan retryAfter = default) => new(null, refusal, text, retryAfter);
}
