using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using HdrHistogram;

namespace Pmcp.Actors.Benchmarks.Load;

/// <summary>
/// The same load shape over MCP Streamable HTTP: N clients (sessions), each initialized, each with D workers that POST
/// <c>tools/call echo</c> one after another. HTTP/1.1 has no pipelining, so the N×D requests share N pooled
/// connections (<c>MaxConnectionsPerServer = N</c>); every answer is an SSE stream whose <c>data:</c> line is the JSON.
/// </summary>
internal static class HttpLoadGenerator
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public static async Task<LoadResult> RunAsync(Uri url, int connections, int inFlight, TimeSpan warmup, TimeSpan duration, CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };

        var sessions = new string?[connections];
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, connections),
                new ParallelOptions { MaxDegreeOfParallelism = 64, CancellationToken = cancellationToken },
                async (i, token) => sessions[i] = await InitializeAsync(http, url, token).ConfigureAwait(false)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or InvalidOperationException)
        {
            return LoadResult.From("http", connections, inFlight, duration.TotalSeconds, Latency.NewHistogram(), connections, "initialize failed: " + ex.Message);
        }

        var histogram = Latency.NewHistogram();
        var measureFrom = Stopwatch.GetTimestamp() + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var measureTo = measureFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        long errors = 0;
        long answers = 0;
        var workers = new List<Task>();
        for (var c = 0; c < connections; c++)
        {
            for (var d = 0; d < inFlight; d++)
            {
                var session = sessions[c];
                var firstId = (long)d + 1;
                workers.Add(Task.Run(async () =>
                {
                    var (e, a) = await WorkerAsync(http, url, session, firstId, inFlight, measureFrom, measureTo, histogram, cancellationToken).ConfigureAwait(false);
                    Interlocked.Add(ref errors, e);
                    Interlocked.Add(ref answers, a);
                }, cancellationToken));
            }
        }
        await Task.WhenAll(workers).ConfigureAwait(false);
        return LoadResult.From("http", connections, inFlight, duration.TotalSeconds, histogram, errors, totalCalls: answers);
    }

    private static async Task<string?> InitializeAsync(HttpClient http, Uri url, CancellationToken cancellationToken)
    {
        using var init = await PostAsync(http, url, null, McpFrames.Initialize, cancellationToken, initialized: false).ConfigureAwait(false);
        var body = await init.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (!init.IsSuccessStatusCode || McpFrames.ReadAnswer(McpFrames.SseData(body), expectEcho: false) is not (0, false))
            throw new InvalidOperationException($"initialize answered {(int)init.StatusCode}: {System.Text.Encoding.UTF8.GetString(body)}");
        var session = init.Headers.TryGetValues("Mcp-Session-Id", out var values) ? values.First() : null;
        using var initialized = await PostAsync(http, url, session, McpFrames.Initialized, cancellationToken).ConfigureAwait(false);
        if (!initialized.IsSuccessStatusCode) throw new InvalidOperationException($"notifications/initialized answered {(int)initialized.StatusCode}");
        return session;
    }

    private static async Task<(long Errors, long Answers)> WorkerAsync(HttpClient http, Uri url, string? session, long id, int step, long measureFrom, long measureTo,
        HistogramBase histogram, CancellationToken cancellationToken)
    {
        long errors = 0;
        long answers = 0;
        while (Stopwatch.GetTimestamp() < measureTo)
        {
            var sent = Stopwatch.GetTimestamp();
            try
            {
                using var response = await PostAsync(http, url, session, McpFrames.Call(id), cancellationToken).ConfigureAwait(false);
                var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                var now = Stopwatch.GetTimestamp();
                answers++;
                var (answerId, failed) = McpFrames.ReadAnswer(McpFrames.SseData(body), expectEcho: true);
                if (!response.IsSuccessStatusCode || failed || answerId != id) errors++;
                else if (now >= measureFrom && now <= measureTo)
                    histogram.RecordValue(Math.Max(1, (now - sent) * 1_000_000 / Stopwatch.Frequency));
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                errors++;
            }
            id += step;
        }
        return (errors, answers);
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient http, Uri url, string? session, byte[] body, CancellationToken cancellationToken,
        bool initialized = true)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = Json;
        request.Headers.TryAddWithoutValidation("Accept", "application/json, text/event-stream");
        if (initialized) request.Headers.TryAddWithoutValidation("MCP-Protocol-Version", McpFrames.ProtocolVersion);
        if (session is not null) request.Headers.TryAddWithoutValidation("Mcp-Session-Id", session);
        return http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
    }
}
