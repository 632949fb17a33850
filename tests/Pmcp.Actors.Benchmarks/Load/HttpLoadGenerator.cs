using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using HdrHistogram;
using Pmcp.Protocol;

namespace Pmcp.Actors.Benchmarks.Load;

/// <summary>
/// The same load shape over MCP Streamable HTTP: N clients, each with D workers that POST <c>tools/call echo</c> one after
/// another. HTTP/1.1 has no pipelining, so the N×D requests share N pooled connections (<c>MaxConnectionsPerServer = N</c>).
/// In the 2025 era each client is a session (initialize, then every call names its <c>Mcp-Session-Id</c>; the sessions are
/// deleted at the end, as a client that is done would); in the 2026-07-28 era there is no session and every call carries
/// that revision's request metadata. An answer is read whether it comes as plain JSON or as an SSE stream.
/// </summary>
internal static class HttpLoadGenerator
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    /// <summary>Whether <paramref name="era"/> is the 2026-07-28 stateless revision (anything else: 2025 sessions).</summary>
    public static bool IsStateless(string? era) => era == McpFrames.StatelessProtocolVersion;

    public static HttpClient NewClient(int connections) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = connections,
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
    }) { Timeout = TimeSpan.FromSeconds(30) };

    public static async Task<LoadResult> RunAsync(Uri url, int connections, int inFlight, TimeSpan warmup, TimeSpan duration, CancellationToken cancellationToken,
        string? era = null)
    {
        using var http = NewClient(connections);
        var stateless = IsStateless(era);
        var sessions = new string?[connections];
        if (!stateless)
        {
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
                    var (e, a) = await WorkerAsync(http, url, session, stateless, firstId, inFlight, measureFrom, measureTo, histogram, cancellationToken).ConfigureAwait(false);
                    Interlocked.Add(ref errors, e);
                    Interlocked.Add(ref answers, a);
                }, cancellationToken));
            }
        }
        await Task.WhenAll(workers).ConfigureAwait(false);
        await EndSessionsAsync(http, url, sessions, cancellationToken).ConfigureAwait(false);
        return LoadResult.From("http", connections, inFlight, duration.TotalSeconds, histogram, errors, totalCalls: answers);
    }

    /// <summary>
    /// One echo call in <paramref name="era"/>, with a session first in the 2025 era: null when it was answered as
    /// expected, otherwise what the server said. The harness asks this before it measures an era the server may not speak yet.
    /// </summary>
    public static async Task<string?> ProbeAsync(Uri url, string? era, CancellationToken cancellationToken)
    {
        using var http = NewClient(1);
        try
        {
            var stateless = IsStateless(era);
            var session = stateless ? null : await InitializeAsync(http, url, cancellationToken).ConfigureAwait(false);
            using var response = await PostCallAsync(http, url, session, stateless, 1, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            await EndSessionsAsync(http, url, [session], cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode && McpFrames.ReadAnswer(McpFrames.SseData(body), expectEcho: true) is (1, false)) return null;
            // One line, whatever the server sent: the reason ends up in a markdown table.
            var text = string.Join(' ', System.Text.Encoding.UTF8.GetString(body).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).Replace('|', '/');
            return $"HTTP {(int)response.StatusCode}{(text.Length == 0 ? "" : ": " + (text.Length > 300 ? text[..300] + "…" : text))}";
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or InvalidOperationException)
        {
            return ex.Message;
        }
    }

    /// <summary>Opens a 2025 session: initialize, then notifications/initialized; returns its Mcp-Session-Id (null from a server that gives none).</summary>
    internal static async Task<string?> InitializeAsync(HttpClient http, Uri url, CancellationToken cancellationToken)
    {
        using var init = await PostAsync(http, url, null, McpFrames.Initialize, cancellationToken, initialized: false).ConfigureAwait(false);
        var body = await init.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (!init.IsSuccessStatusCode || McpFrames.ReadAnswer(McpFrames.SseData(body), expectEcho: false) is not (0, false))
            throw new InvalidOperationException($"initialize answered {(int)init.StatusCode}: {System.Text.Encoding.UTF8.GetString(body)}");
        var session = init.Headers.TryGetValues(McpHttpHeaderNames.SessionId, out var values) ? values.First() : null;
        using var initialized = await PostAsync(http, url, session, McpFrames.Initialized, cancellationToken).ConfigureAwait(false);
        if (!initialized.IsSuccessStatusCode) throw new InvalidOperationException($"notifications/initialized answered {(int)initialized.StatusCode}");
        return session;
    }

    /// <summary>DELETE each session that has an id; what the server answers does not matter to the measurement.</summary>
    internal static Task EndSessionsAsync(HttpClient http, Uri url, IEnumerable<string?> sessions, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(sessions.OfType<string>(), new ParallelOptions { MaxDegreeOfParallelism = 64, CancellationToken = cancellationToken }, async (session, token) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Delete, url);
            request.Headers.TryAddWithoutValidation(McpHttpHeaderNames.SessionId, session);
            request.Headers.TryAddWithoutValidation(McpHttpHeaderNames.ProtocolVersion, McpFrames.ProtocolVersion);
            try
            {
                using var _ = await http.SendAsync(request, token).ConfigureAwait(false);
            }
            catch (HttpRequestException)
            {
            }
        });

    private static async Task<(long Errors, long Answers)> WorkerAsync(HttpClient http, Uri url, string? session, bool stateless, long id, int step, long measureFrom, long measureTo,
        HistogramBase histogram, CancellationToken cancellationToken)
    {
        long errors = 0;
        long answers = 0;
        while (Stopwatch.GetTimestamp() < measureTo)
        {
            var sent = Stopwatch.GetTimestamp();
            try
            {
                using var response = await PostCallAsync(http, url, session, stateless, id, cancellationToken).ConfigureAwait(false);
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

    /// <summary>POSTs one echo call: in the session's 2025 form, or in the 2026-07-28 form with its standard headers.</summary>
    internal static Task<HttpResponseMessage> PostCallAsync(HttpClient http, Uri url, string? session, bool stateless, long id, CancellationToken cancellationToken)
    {
        if (!stateless) return PostAsync(http, url, session, McpFrames.Call(id), cancellationToken);
        var request = NewPost(url, McpFrames.StatelessCall(id));
        request.Headers.TryAddWithoutValidation(McpHttpHeaderNames.ProtocolVersion, McpFrames.StatelessProtocolVersion);
        request.Headers.TryAddWithoutValidation(McpHttpHeaderNames.Method, "tools/call");
        request.Headers.TryAddWithoutValidation(McpHttpHeaderNames.Name, "echo");
        return http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient http, Uri url, string? session, byte[] body, CancellationToken cancellationToken,
        bool initialized = true)
    {
        var request = NewPost(url, body);
        if (initialized) request.Headers.TryAddWithoutValidation(McpHttpHeaderNames.ProtocolVersion, McpFrames.ProtocolVersion);
        if (session is not null) request.Headers.TryAddWithoutValidation(McpHttpHeaderNames.SessionId, session);
        return http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
    }

    private static HttpRequestMessage NewPost(Uri url, byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = Json;
        request.Headers.TryAddWithoutValidation("Accept", "application/json, text/event-stream");
        return request;
    }
}
