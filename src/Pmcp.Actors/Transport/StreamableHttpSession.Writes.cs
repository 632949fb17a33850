namespace Pmcp.Actors.Transport;

internal sealed partial class StreamableHttpSession : IOutboundWrites
{
    private const string OwnBudgetExceeded = "closed by the server: outbound budget exceeded: the client is not reading";

    // The responses (POST answers, the GET stream) writing now, aborted when the session is cut for the bytes it holds.
    private List<PostAbort>? _writers;

    /// <summary>
    /// A response took <paramref name="json"/> off its queue and is writing it to a client that may not read: it counts
    /// against the budgets again until <see cref="Written"/>. A POST's answer is most often its only message, so counted
    /// only while queued it counted for nothing while a client that does not read kept it in the response's pipe.
    /// </summary>
    public void Writing(string json) => _outboundBytes.Add(json); // fits or not, the next message queued is the one refused

    public void Written(string json) => _outboundBytes.Remove(json);

    /// <summary>
    /// The response that <paramref name="abort"/> ends writes for this session until <see cref="StopWriting"/>; false
    /// when the session has ended already (the response is not to be written).
    /// </summary>
    public bool StartWriting(PostAbort abort)
    {
        lock (_lock)
        {
            if (HasEnded) return false;
            (_writers ??= []).Add(abort);
            return true;
        }
    }

    public void StopWriting(PostAbort abort)
    {
        abort.Done();
        lock (_lock) _writers?.Remove(abort);
    }

    /// <summary>
    /// Ends the session for the bytes it holds (past its own budget, or picked by the server's) and aborts the responses
    /// it is writing: each would otherwise keep its message, and its connection, until its client went away.
    /// </summary>
    private void CutOff(string reason)
    {
        End(reason);
        PostAbort[] writers;
        lock (_lock)
        {
            writers = _writers is null ? [] : [.. _writers];
            _writers = null;
        }
        foreach (var writer in writers) writer.Abort();
    }
}
