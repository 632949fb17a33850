namespace Pmcp.Actors.Tests.Support;

/// <summary>Every await in the loopback suite has a deadline; these helpers give a timeout a readable message.</summary>
internal static class Deadline
{
    /// <summary>Long enough for anything that should be prompt, on a loaded 2-core machine.</summary>
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(10);

    public static async Task<T> Within<T>(this Task<T> task, TimeSpan timeout, string what)
    {
        try
        {
            return await task.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.###} s waiting for {what}.");
        }
    }

    public static Task Within(this Task task, TimeSpan timeout, string what) => task.Within(timeout, () => what);

    /// <summary>Awaits <paramref name="task"/> for at most <paramref name="timeout"/>; <paramref name="what"/> is asked for only when the time is up, so it can say how far things got.</summary>
    public static async Task Within(this Task task, TimeSpan timeout, Func<string> what)
    {
        try
        {
            await task.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.###} s waiting for {what()}.");
        }
    }

    public static Task<T> Within<T>(this ValueTask<T> task, TimeSpan timeout, string what) => task.AsTask().Within(timeout, what);

    /// <summary>
    /// Checks <paramref name="condition"/> until it holds, every <paramref name="pollInterval"/> (10 ms unless a check is
    /// costly), and fails with <paramref name="what"/> once <paramref name="timeout"/> has passed.
    /// </summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, Func<string> what, TimeSpan? timeout = null, TimeSpan? pollInterval = null)
    {
        var limit = timeout ?? Default;
        var poll = pollInterval ?? TimeSpan.FromMilliseconds(10);
        var deadline = DateTime.UtcNow + limit;
        while (!await condition().ConfigureAwait(false))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out after {limit.TotalSeconds:0.###} s: {what()}.");
            await Task.Delay(poll).ConfigureAwait(false); // poll interval of the condition, not a wait for it
        }
    }
}
