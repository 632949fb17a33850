namespace Pmcp.Actors.Session;

/// <summary>
/// A token bucket for one connection's inbound messages: <c>burst</c> tokens, refilled at <c>perSecond</c>. Owned by
/// one actor (not thread-safe); the clock is the ActorSystem scheduler's, so specs can drive it with a TestScheduler.
/// </summary>
internal sealed class MessageRateLimiter
{
    private readonly double _perSecond;
    private readonly double _capacity;
    private double _tokens;
    private DateTimeOffset? _last;

    public MessageRateLimiter(double perSecond, int burst)
    {
        _perSecond = perSecond;
        _capacity = burst > 0 ? burst : Math.Max(1, Math.Ceiling(perSecond));
        _tokens = _capacity;
    }

    public bool TryTake(DateTimeOffset now)
    {
        if (_last is { } last && now > last) _tokens = Math.Min(_capacity, _tokens + (now - last).TotalSeconds * _perSecond);
        if (_last is null || now > _last) _last = now; // a clock that steps back refills nothing
        if (_tokens < 1) return false;
        _tokens -= 1;
        return true;
    }
}
