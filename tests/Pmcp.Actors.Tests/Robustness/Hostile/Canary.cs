using System.Diagnostics;
using Pmcp.Actors.Tests.Support;

namespace Pmcp.Actors.Tests.Robustness.Hostile;

/// <summary>
/// A well-behaved client beside a hostile one: a WebSocket session and a Streamable HTTP session, each calling
/// <c>echo</c> every 50 ms until stopped. <see cref="StopAndAssertAsync"/> fails the probe if a call was lost (an error,
/// a wrong answer, no answer) or took longer than <see cref="SlowestAllowed"/>, less the time the whole process got no
/// CPU from the machine while it ran (<see cref="StallGauge"/>): on a shared 2-core machine another program can hold
/// every thread of the test process back for a second, which says nothing of the server's fairness.
/// </summary>
internal sealed class Canary : IAsyncDisposable
{
    /// <summary>
    /// A probe must not hold a bystander's call up past this: the canary catches a lock-out (a queue, a lane or the
    /// capacity a hostile client took for itself), not a slowdown. On a quiet machine its slowest call is a few hundred
    /// milliseconds at most. Beside a CPU hog at load 20 to 28 it reached 1 to 2 s, in probes with large messages and in
    /// probes without (slowloris, 1.3 s with no gen2 collection), even after the large messages' copies were cut
    /// (docs/security.md has the table); a timed assertion must not fail because the machine is busy. How slow a
    /// bystander's calls get is a figure for the docs, which the probes print.
    /// </summary>
    public static readonly TimeSpan SlowestAllowed = TimeSpan.FromSeconds(5);

    /// <summary>How long a canary call, or the canary's loops, may take before they count as lost.</summary>
    private static readonly TimeSpan LostAfter = TimeSpan.FromSeconds(20);

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    private readonly McpTestClient _webSocket;
    private readonly McpHttpTestClient _http;
    private readonly CancellationTokenSource _stop = new();
    private readonly StallGauge _stalls = new();
    private readonly List<string> _failures = [];
    private readonly Task _webSocketLoop;
    private readonly Task _httpLoop;
    private long _webSocketCalls;
    private long _httpCalls;
    private long _slowestTicks; // less the process's stalls
    private long _slowestRawTicks;

    private Canary(McpTestClient webSocket, McpHttpTestClient http)
    {
        _webSocket = webSocket;
        _http = http;
        _webSocketLoop = LoopAsync("websocket", text => _webSocket.CallToolAsync("echo", new { text }, LostAfter), () => Interlocked.Increment(ref _webSocketCalls));
        _httpLoop = LoopAsync("http", text => _http.CallToolAsync("echo", new { text }), () => Interlocked.Increment(ref _httpCalls));
    }

    /// <summary>Starts both sessions, each sending <paramref name="header"/> (a credential) when one is given, from <paramref name="from"/> (a loopback address) when given.</summary>
    public static async Task<Canary> StartAsync(TestServer server, (string Name, string Value)? header = null, System.Net.IPAddress? from = null)
    {
        var webSocket = await server.ConnectAsync(configure: o =>
        {
            if (header is { } h) o.SetRequestHeader(h.Name, h.Value);
        }, from: from);
        var http = new McpHttpTestClient(server.McpHttpUri, from);
        if (header is { } h) http.DefaultHeaders.Add(h.Name, h.Value);
        await http.InitializeAsync();
        return new Canary(webSocket, http);
    }

    /// <summary>The slowest call, less the time the process stood stalled while it ran.</summary>
    public TimeSpan Slowest => TimeSpan.FromTicks(Interlocked.Read(ref _slowestTicks));

    /// <summary>The slowest call as the clock measured it.</summary>
    public TimeSpan SlowestMeasured => TimeSpan.FromTicks(Interlocked.Read(ref _slowestRawTicks));

    /// <summary>Waits until each transport has made <paramref name="calls"/> more calls: the canary is seen working, not only started.</summary>
    public async Task MoreCallsAsync(int calls)
    {
        var (webSocket, http) = (Interlocked.Read(ref _webSocketCalls) + calls, Interlocked.Read(ref _httpCalls) + calls);
        await Deadline.UntilAsync(
            () => Task.FromResult((Interlocked.Read(ref _webSocketCalls) >= webSocket && Interlocked.Read(ref _httpCalls) >= http) || _webSocketLoop.IsCompleted || _httpLoop.IsCompleted),
            () => $"the canary's calls ({Summary})", LostAfter * 2);
    }

    /// <summary>Stops the calls, then asserts that each transport made calls and none was lost or slow.</summary>
    public async Task StopAndAssertAsync()
    {
        _stop.Cancel();
        await Task.WhenAll(_webSocketLoop, _httpLoop).Within(LostAfter, "the canary's calls to stop");
        lock (_failures)
        {
            Assert.True(_failures.Count == 0, "the canary lost calls: " + string.Join("; ", _failures.Take(5)));
        }
        Assert.True(Interlocked.Read(ref _webSocketCalls) > 0 && Interlocked.Read(ref _httpCalls) > 0,
            $"the canary made no calls (websocket {_webSocketCalls}, http {_httpCalls})");
        Assert.True(Slowest <= SlowestAllowed, $"a canary call took {Slowest.TotalMilliseconds:0} ms beyond the process's stalls ({Summary})");
    }

    public string Summary =>
        $"canary: {_webSocketCalls} websocket and {_httpCalls} http calls, slowest {Slowest.TotalMilliseconds:0} ms beyond stalls, {SlowestMeasured.TotalMilliseconds:0} ms measured";

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try
        {
            await Task.WhenAll(_webSocketLoop, _httpLoop).WaitAsync(LostAfter);
        }
        catch (TimeoutException)
        {
            // Reported by StopAndAssertAsync when a test gets that far; disposal must not hang.
        }
        await _webSocket.DisposeAsync();
        await _http.DisposeAsync();
        _stop.Dispose();
        _stalls.Dispose();
    }

    private async Task LoopAsync(string transport, Func<string, Task<WireMessage>> call, Action counted)
    {
        var n = 0;
        while (!_stop.IsCancellationRequested)
        {
            var text = $"{transport}-{++n}";
            var clock = Stopwatch.StartNew();
            var started = Stopwatch.GetTimestamp();
            try
            {
                var answer = await call(text);
                var took = clock.Elapsed;
                InterlockedMax(ref _slowestRawTicks, took.Ticks);
                InterlockedMax(ref _slowestTicks, (took - _stalls.StalledBetween(started, Stopwatch.GetTimestamp())).Ticks);
                if (answer.IsToolError || answer.FirstText != text) Fail($"{transport} call {n} answered {answer.Raw}");
                counted();
            }
            catch (Exception ex)
            {
                Fail($"{transport} call {n} failed after {clock.Elapsed.TotalMilliseconds:0} ms: {ex.GetType().Name}: {ex.Message}");
                return; // a broken session would only repeat the failure
            }

            try
            {
                await Task.Delay(Interval, _stop.Token); // the pace of a well-behaved client, not a wait for anything
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Fail(string failure)
    {
        lock (_failures) _failures.Add(failure);
    }

    private static void InterlockedMax(ref long target, long value)
    {
        var seen = Interlocked.Read(ref target);
        while (value > seen)
        {
            var was = Interlocked.CompareExchange(ref target, value, seen);
            if (was == seen) return;
            seen = was;
        }
    }
}
