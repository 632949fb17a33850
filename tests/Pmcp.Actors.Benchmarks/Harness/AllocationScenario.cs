using System.Globalization;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;
using Pmcp.Actors.Benchmarks.Load;

namespace Pmcp.Actors.Benchmarks.Harness;

/// <summary>
/// Where a call's allocations go, server by server: each server named is started, warmed up at the load shape given,
/// then loaded again while its own GC events are watched (<see cref="AllocationWatch"/>). Prints the bytes each answered
/// call allocated (sampled, so read the first two digits), the collections per thousand calls, and the types that took
/// the most. The servers run one after the other, so their figures do not depend on the machine's noise the way calls/s do:
/// this is how a change to the hot path is checked for what it allocates (issue 29).
/// </summary>
internal sealed class AllocationScenario(HarnessSettings settings, ServerKind[] kinds, int connections, int inFlight, double seconds, int top, TextWriter log)
{
    private static string F(double v, string format = "0") => v.ToString(format, CultureInfo.InvariantCulture);

    public async Task<int> RunAsync()
    {
        foreach (var kind in kinds)
        {
            var (server, url) = await Servers.StartAsync(kind, settings).ConfigureAwait(false);
            await using (server.ConfigureAwait(false))
            {
                await LoadAsync(kind, url, settings.ServerWarmupSeconds).ConfigureAwait(false);
                var watch = AllocationWatch.Start(server.Pid);
                var result = await LoadAsync(kind, url, seconds).ConfigureAwait(false);
                var seen = await watch.StopAsync().ConfigureAwait(false);
                var calls = Math.Max(1, result.TotalCalls);

                log.WriteLine();
                log.WriteLine($"{Servers.Label(kind)}, {connections} x {inFlight}, {F(result.CallsPerSecond)} calls/s, {result.TotalCalls:N0} calls, {result.Errors} errors:");
                log.WriteLine($"  {F(seen.Bytes / (double)calls)} B allocated a call; collections per 1,000 calls: gen0 {F(seen.Collections[0] * 1000.0 / calls, "0.00")}, " +
                              $"gen1 {F(seen.Collections[1] * 1000.0 / calls, "0.00")}, gen2 {F(seen.Collections[2] * 1000.0 / calls, "0.00")}");
                log.WriteLine("  | type | B a call | share |");
                log.WriteLine("  |---|--:|--:|");
                foreach (var (type, bytes) in seen.ByType.OrderByDescending(t => t.Value).Take(top))
                    log.WriteLine($"  | {type} | {F(bytes / (double)calls)} | {F(100.0 * bytes / Math.Max(1, seen.Bytes), "0.0")} % |");
            }
        }
        return 0;
    }

    private Task<LoadResult> LoadAsync(ServerKind kind, Uri url, double runSeconds) => Servers.RunLoadAsync(
    [
        "--url", url.ToString(), "--connections", connections.ToString(CultureInfo.InvariantCulture),
        "--inflight", inFlight.ToString(CultureInfo.InvariantCulture), "--seconds", F(runSeconds, "0.###"), "--warmup", "0",
        "--transport", Servers.Transport(kind), "--era", Servers.Era(kind),
    ], runSeconds);
}
