namespace Pmcp.Actors.Transport;

/// <summary>
/// The memory one connection's queued outbound messages hold (two bytes per character, as .NET strings keep them),
/// against <see cref="McpServerOptions.MaxOutboundBytesPerConnection"/>. A message is counted when queued and uncounted
/// when taken off the queue (sent, or dropped). A message queued while nothing else is always fits, however large: the
/// budget stops a client that does not read, not one large answer.
/// </summary>
internal sealed class OutboundBytes(long budget)
{
    private long _queued;

    public long Queued => Interlocked.Read(ref _queued);

    public static long SizeOf(string json) => (long)json.Length * sizeof(char);

    /// <summary>Counts <paramref name="json"/> as queued; false when that takes the queue past the budget (the connection is then to be cut).</summary>
    public bool Add(string json)
    {
        var size = SizeOf(json);
        var now = Interlocked.Add(ref _queued, size);
        return now - size == 0 || now <= budget;
    }

    public void Remove(string json) => Interlocked.Add(ref _queued, -SizeOf(json));
}
