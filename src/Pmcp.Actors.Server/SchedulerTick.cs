namespace Pmcp.Actors.Server;

/// <summary>
/// The tick of Akka's scheduler in the standalone server: 100 ms instead of Akka's 10 ms.
/// </summary>
/// <remarks>
/// Akka's scheduler (a hashed wheel) wakes on every tick for as long as anything is scheduled, and with tasks on (the
/// default: a one-node cluster for their sharding) something always is. Each tick wakes a thread-pool thread, which
/// spins before it sleeps again: an idle server used 7.7 % of a core, and 353 timer wake-ups a second (issue 29). At
/// 100 ms, 1.6 % once settled, and 55 wake-ups. Under load the pool threads are awake anyway, so the gain is smaller:
/// the server CPU per call at 16 × 4 over WebSocket went from 1.19× to 1.09× the thin baseline's in one interleaved run,
/// and 1.25× to 1.21× (with the other change of that pass) in the harness (docs/performance.md, eighth pass).
/// Nothing the server schedules needs a finer grain: its timers (keep-alive, handshake, request and store timeouts, the
/// task poll) are in seconds, and an Akka timer only ever fires up to one tick late. A host that embeds the library
/// keeps Akka's default unless it sets <c>akka.scheduler.tick-duration</c> itself (docs/embedding.md).
/// </remarks>
internal static class SchedulerTick
{
    public const string Hocon = "akka.scheduler.tick-duration = 100ms";
}
