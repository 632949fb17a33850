namespace Pmcp.Client.Tests.Support;

/// <summary>Every await in these tests has a deadline; a timeout says what was awaited.</summary>
internal static class Deadline
{
    /// <summary>Long enough for anything that should be prompt, on a loaded 2-core machine.</summary>
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(10);

    public static async Task<T> Within<T>(this Task<T> task, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? Default;
        try
        {
            return await task.WaitAsync(limit).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out after {limit.TotalSeconds:0.###} s waiting for {what}.");
        }
    }

    public static async Task Within(this Task task, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? Default;
        try
        {
            await task.WaitAsync(limit).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out after {limit.TotalSeconds:0.###} s waiting for {what}.");
        }
    }

    public static Task<T> Within<T>(this ValueTask<T> task, string what, TimeSpan? timeout = null) => task.AsTask().Within(what, timeout);
}
