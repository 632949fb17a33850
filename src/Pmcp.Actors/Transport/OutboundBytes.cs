namespace Pmcp.Actors.Transport;

/// <summary>
/// The memory one connection's queued outbound messages hold (two bytes per character, as .NET strings keep them),
/// against <see cref="McpServerOptions.MaxOutboundBytesPerConnection"/>, and counted in the server's sum
/// (<see cref="ServerOutboundBudget"/>) too. A message is counted when queued and uncounted when taken off the queue
/// (sent, or dropped). A message queued while nothing else is always fits, however large: the budget stops a client
/// that does not read, not one large answer. Once the connection is done (<see cref="Release"/>) what it still holds
/// leaves the server's sum at once, and later counting is its own affair.
/// </summary>
internal sealed class OutboundBytes
{
    // Released: the count is moved this far below zero, so that an add or remove that comes after the release sees a
    // negative count and leaves the server's sum alone, while one that came before it was in what the release took out.
    private const long ReleasedMark = long.MinValue / 2;

    private readonly long _budget;
    private readonly ServerOutboundBudget? _server;
    private readonly Action? _cut;
    private long _queued;
    private bool _registered;

    /// <param name="budget">The connection's own budget.</param>
    /// <param name="server">The server's sum this connection counts in; null: none (a connection the server does not keep).</param>
    /// <param name="cut">Ends the connection when the server's sum is past its budget and this connection holds the most.</param>
    public OutboundBytes(long budget, ServerOutboundBudget? server = null, Action? cut = null)
    {
        _budget = budget;
        _server = server;
        _cut = cut;
    }

    public long Queued => Math.Max(0, Interlocked.Read(ref _queued));

    /// <summary>True once <see cref="Release"/> has run: the server forgets it, or never learns of it.</summary>
    internal bool IsReleased => Interlocked.Read(ref _queued) < 0;

    public static long SizeOf(string json) => (long)json.Length * sizeof(char);

    /// <summary>Counts <paramref name="json"/> as queued; false when that takes the queue past the budget (the connection is then to be cut).</summary>
    public bool Add(string json)
    {
        var size = SizeOf(json);
        var now = Interlocked.Add(ref _queued, size);
        if (now < 0) return true; // released: the connection is closing and takes nothing more anyway
        if (_server is { } server)
        {
            // Known to the server's relief pass from its first message on (most sessions never send one); a plain flag
            // check afterwards, and registering twice in a race is harmless.
            if (!Volatile.Read(ref _registered))
            {
                server.Register(this);
                Volatile.Write(ref _registered, true);
            }
            server.Add(size);
        }
        return now - size == 0 || now <= _budget;
    }

    public void Remove(string json)
    {
        var size = SizeOf(json);
        if (Interlocked.Add(ref _queued, -size) >= 0) _server?.Remove(size);
    }

    /// <summary>The connection is done, or being cut: what it holds no longer counts in the server's sum. Once only.</summary>
    public bool Release()
    {
        var left = Interlocked.Exchange(ref _queued, ReleasedMark);
        if (left < 0) return false; // released already (the count stays far below zero either way)
        if (_server is { } server)
        {
            server.Remove(left);
            server.Unregister(this);
        }
        return true;
    }

    /// <summary>The server's relief pass picked this connection: it leaves the sum and is cut. False when it was done already.</summary>
    internal bool CutByServer()
    {
        if (!Release()) return false;
        _cut?.Invoke();
        return true;
    }
}
