namespace Pmcp.Actors.Tests.Support;

/// <summary>Awaits a condition that becomes true on its own (a stopped actor, an expired session), polling until a deadline.</summary>
internal static class Eventually
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);

    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Deadline.Default);
        while (!await condition().ConfigureAwait(false))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out after {(timeout ?? Deadline.Default).TotalSeconds:0.###} s waiting for {what}.");
            await Task.Delay(Poll).ConfigureAwait(false);
        }
    }
}
