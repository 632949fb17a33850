namespace Pmcp.Actors.Transport;

/// <summary>What the gate needs of a session to evict it: whether it is idle, since when, and how to end it.</summary>
internal interface IEvictable
{
    /// <summary>No call in flight and no stream open (an HTTP request, the SSE GET stream): ending it loses nothing.</summary>
    bool IsIdle { get; }

    /// <summary>When the client last sent something (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>: finer than milliseconds, as two requests over loopback can be less apart).</summary>
    long LastActive { get; }

    /// <summary>
    /// True once the session has run a call (a tool call, a prompt or resource read): a client at work. One that never
    /// did since its handshake (sockets opened to fill the server) is evicted before it, however recently it was heard from.
    /// </summary>
    bool HasCalled { get; }

    /// <summary>Ends the session to make room (a WebSocket closes with 1013, an HTTP session's id gets 404).</summary>
    void Evict();
}

/// <summary>
/// One place at the <see cref="ConnectionGate"/>, held by a WebSocket connection or a Streamable HTTP session for as
/// long as it lives, and counted for its client (<see cref="Client"/>). Given back once, by <see cref="Release"/>,
/// whichever comes first: the session's end, or its eviction (the evicted session may take a moment to close, but its
/// place is the new session's at once).
/// </summary>
internal sealed class GatePlace
{
    private readonly ConnectionGate _gate;
    private int _released;

    internal GatePlace(ConnectionGate gate, string client)
    {
        _gate = gate;
        Client = client;
    }

    /// <summary>Whom the place is counted for: an authenticated caller, or else a client address (README, "Security").</summary>
    public string Client { get; }

    /// <summary>The session in this place, once it exists; until then it cannot be evicted.</summary>
    public IEvictable? Session { get; private set; }

    public bool IsReleased => Volatile.Read(ref _released) != 0;

    /// <summary>The session that holds the place is ready: from now on the gate may evict it when idle.</summary>
    public void Hold(IEvictable session)
    {
        Session = session;
        _gate.Holding(this);
    }

    /// <summary>Gives the place back; later calls do nothing.</summary>
    public void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0) _gate.Released(this);
    }

    /// <summary>Marks the place given back without telling the gate (the gate, holding its lock, does the counting).</summary>
    internal bool TryMarkReleased() => Interlocked.Exchange(ref _released, 1) == 0;
}
