using Akka.Actor;

namespace Pmcp.Actors.Runtime;

/// <summary>
/// The idle <see cref="ModernRequestActor"/>s of a server, waiting for their next 2026-07-28 request (issue 29): taking
/// one is a lock and a pop, where opening an actor per request (an Ask to the server actor, a child spawned and
/// stopped) cost several times a 2025 call. A host puts itself back when its request ended clean; at most
/// <see cref="MaxIdle"/> wait here, the others stop. Closed when the server drains: the hosts still here are stopped by
/// the server actor, and from then on every request gets a host of its own (which the draining server refuses, as it
/// refuses a new session).
/// </summary>
internal sealed class ModernRequestPool
{
    /// <summary>
    /// How many idle hosts are kept: enough for the requests a busy server has in flight at once (each host is an actor
    /// and its mailbox, about a kilobyte); past it, a host stops after its request.
    /// </summary>
    public const int MaxIdle = 256;

    private readonly Lock _lock = new();
    private readonly Stack<IActorRef> _idle = new();
    private bool _closed;

    /// <summary>An idle host, taken out of the pool (it will get a request at once); false when none waits or the pool is closed.</summary>
    public bool TryTake(out IActorRef host)
    {
        lock (_lock)
        {
            if (!_closed && _idle.TryPop(out host!)) return true;
        }
        host = ActorRefs.Nobody;
        return false;
    }

    /// <summary>A host whose request ended clean waits for the next; false (the host then stops) when the pool is full or closed.</summary>
    public bool TryReturn(IActorRef host)
    {
        lock (_lock)
        {
            if (_closed || _idle.Count >= MaxIdle) return false;
            _idle.Push(host);
            return true;
        }
    }

    public int IdleCount
    {
        get
        {
            lock (_lock) return _idle.Count;
        }
    }

    /// <summary>No host is handed out or taken back from now on; the hosts that were waiting are returned, for the server actor to stop.</summary>
    public IReadOnlyList<IActorRef> Close()
    {
        lock (_lock)
        {
            _closed = true;
            var idle = _idle.ToArray();
            _idle.Clear();
            return idle;
        }
    }
}
