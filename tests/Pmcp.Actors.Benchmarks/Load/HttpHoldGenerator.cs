using System.Diagnostics;
using System.Text.Json;

namespace Pmcp.Actors.Benchmarks.Load;

/// <summary>
/// Opens N initialized 2025 Streamable HTTP sessions and leaves them idle, the HTTP twin of <see cref="HoldGenerator"/>:
/// the sessions are opened over at most <c>parallel</c> pooled connections, which then stay open, so what the server
/// holds per session is the session and not a socket. It prints one JSON line when they are open, then reads standard
/// input: <c>calls K</c> (each session makes K echo calls, one after another: does the server still hold every one?) and <c>exit</c>.
/// </summary>
internal static class HttpHoldGenerator
{
    public static async Task<int> RunAsync(Uri url, int sessions, int parallel, CancellationToken cancellationToken)
    {
        using var http = HttpLoadGenerator.NewClient(parallel);
        var ids = new string?[sessions];
        var opened = new bool[sessions];
        var failed = 0;
        string? firstError = null;
        var started = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(Enumerable.Range(0, sessions),
            new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = cancellationToken },
            async (i, token) =>
            {
                try
                {
                    ids[i] = await HttpLoadGenerator.InitializeAsync(http, url, token).ConfigureAwait(false);
                    opened[i] = true;
                }
                catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or InvalidOperationException)
                {
                    Interlocked.Increment(ref failed);
                    Interlocked.CompareExchange(ref firstError, ex.Message, null);
                }
            }).ConfigureAwait(false);
        var openSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var open = Enumerable.Range(0, sessions).Where(i => opened[i]).Select(i => ids[i]).ToArray();
        Emit(new { phase = "ready", opened = open.Length, failed, seconds = openSeconds, acceptPerSecond = open.Length / openSeconds, firstError });

        while (await Console.In.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0) continue;
            if (parts[0] == "exit") return 0;
            if (parts[0] != "calls") continue;

            var perSession = parts.Length > 1 ? int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) : 1;
            var histogram = Latency.NewHistogram();
            long errors = 0;
            var callStart = Stopwatch.GetTimestamp();
            await Parallel.ForEachAsync(open, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = cancellationToken }, async (session, token) =>
            {
                for (var call = 1; call <= perSession; call++)
                {
                    var sent = Stopwatch.GetTimestamp();
                    try
                    {
                        using var response = await HttpLoadGenerator.PostCallAsync(http, url, session, stateless: false, call, token).ConfigureAwait(false);
                        var body = await response.Content.ReadAsByteArrayAsync(token).ConfigureAwait(false);
                        if (response.IsSuccessStatusCode && McpFrames.ReadAnswer(McpFrames.SseData(body), expectEcho: true) is (var id, false) && id == call)
                            histogram.RecordValue(Latency.MicrosecondsSince(sent));
                        else Interlocked.Increment(ref errors);
                    }
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                    {
                        Interlocked.Increment(ref errors);
                    }
                }
            }).ConfigureAwait(false);
            var callSeconds = Stopwatch.GetElapsedTime(callStart).TotalSeconds;
            Emit(new
            {
                phase = "calls",
                connections = open.Length,
                calls = histogram.TotalCount,
                errors,
                seconds = callSeconds,
                callsPerSecond = histogram.TotalCount / callSeconds,
                p50Us = histogram.TotalCount == 0 ? 0 : histogram.GetValueAtPercentile(50),
                p99Us = histogram.TotalCount == 0 ? 0 : histogram.GetValueAtPercentile(99),
            });
        }
        return 0;
    }

    private static void Emit(object value) => Console.WriteLine(JsonSerializer.Serialize(value, LoadResult.JsonOptions));
}
