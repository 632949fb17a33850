namespace Pmcp.Client;

/// <summary>
/// The backoff of the seed, with jitter: the wait before attempt n is ReconnectDelay·2^(n-1), capped at
/// MaxReconnectDelay, spread uniformly within ±ReconnectJitter of itself and then capped again.
/// </summary>
internal sealed class ReconnectBackoff(McpTransportConfig config, Func<double>? random = null)
{
    private readonly Func<double> _random = random ?? Random.Shared.NextDouble;

    /// <summary>The wait before the attempt numbered <paramref name="attempt"/> (1 for the first retry).</summary>
    public TimeSpan DelayBefore(int attempt)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        var max = config.MaxReconnectDelay.Ticks;
        var ticks = (double)config.ReconnectDelay.Ticks;
        for (var i = 1; i < attempt && ticks < max; i++) ticks *= 2;
        ticks = Math.Min(ticks, max);
        var factor = 1 + config.ReconnectJitter * (2 * _random() - 1);
        return TimeSpan.FromTicks((long)Math.Min(ticks * factor, max));
    }

    /// <summary>True once <paramref name="failedAttempts"/> consecutive attempts have failed and no more are allowed.</summary>
    public bool Exhausted(int failedAttempts) => config.MaxReconnectAttempts is { } max && failedAttempts >= max;
}
