namespace Pmcp.Actors.Transport;

/// <summary>
/// Where a Streamable HTTP response counts the message it is writing against the outbound budgets: a message taken off
/// its queue still holds memory while a client that does not read keeps the write from finishing, so it counts from
/// <see cref="Writing"/> until <see cref="Written"/> (fits or not: the next message queued is the one refused, and the
/// server's budget may pick the holder to cut).
/// </summary>
internal interface IOutboundWrites
{
    void Writing(string json);

    /// <summary>The write that <see cref="Writing"/> counted ended (written, or failed).</summary>
    void Written(string json);
}
