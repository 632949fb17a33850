using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;

namespace Pmcp.Actors.Benchmarks.Load;

/// <summary>
/// Opens N initialized WebSocket connections and holds them, answering the server's keepalive pings (a receive is
/// always pending), until the harness says what to do on standard input:
/// <c>status</c> (how many are still open), <c>calls K</c> (each connection makes K echo calls, one after another),
/// <c>exit</c>. Each answer is one JSON line on standard output.
/// </summary>
internal static class HoldGenerator
{
    public static async Task<int> RunAsync(Uri url, int connections, int parallel, CancellationToken cancellationToken)
    {
        var held = new HeldConnection?[connections];
        var failed = 0;
        string? firstError = null;
        var started = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(Enumerable.Range(0, connections),
            new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = cancellationToken },
            async (i, token) =>
            {
                try
                {
                    held[i] = await HeldConnection.OpenAsync(url, token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or InvalidOperationException)
                {
                    Interlocked.Increment(ref failed);
                    Interlocked.CompareExchange(ref firstError, ex.Message, null);
                }
            }).ConfigureAwait(false);
        var openSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var open = held.Where(h => h is not null).Select(h => h!).ToArray();
        Emit(new { phase = "ready", opened = open.Length, failed, seconds = openSeconds, acceptPerSecond = open.Length / openSeconds, firstError });

        while (await Console.In.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0) continue;
            switch (parts[0])
            {
                case "status":
                    Emit(new { phase = "status", open = open.Count(h => !h.Dropped), dropped = open.Count(h => h.Dropped) });
                    break;
                case "calls":
                    var perConnection = parts.Length > 1 ? int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) : 1;
                    var histogram = Latency.NewHistogram();
                    var callStart = Stopwatch.GetTimestamp();
                    var errors = await Task.WhenAll(open.Select(h => h.CallsAsync(perConnection, histogram))).ConfigureAwait(false);
                    var callSeconds = Stopwatch.GetElapsedTime(callStart).TotalSeconds;
                    Emit(new
                    {
                        phase = "calls",
                        connections = open.Length,
                        calls = histogram.TotalCount,
                        errors = errors.Sum(),
                        seconds = callSeconds,
                        callsPerSecond = histogram.TotalCount / callSeconds,
                        p50Us = histogram.TotalCount == 0 ? 0 : histogram.GetValueAtPercentile(50),
                        p99Us = histogram.TotalCount == 0 ? 0 : histogram.GetValueAtPercentile(99),
                        dropped = open.Count(h => h.Dropped),
                    });
                    break;
                case "exit":
                    foreach (var h in open) h.Dispose();
                    return 0;
            }
        }
        foreach (var h in open) h.Dispose();
        return 0;
    }

    private static void Emit(object value) => Console.WriteLine(JsonSerializer.Serialize(value, LoadResult.JsonOptions));
}

internal sealed class HeldConnection : IDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly byte[] _send = new byte[McpFrames.MaxCallLength];
    private TaskCompletionSource<bool>? _answer;
    private long _nextId = 1;
    private volatile bool _dropped;

    private HeldConnection(ClientWebSocket socket) => _socket = socket;

    public bool Dropped => _dropped;

    public static async Task<HeldConnection> OpenAsync(Uri url, CancellationToken cancellationToken)
    {
        var socket = WsLoadClient.NewSocket();
        try
        {
            await WsLoadClient.Handshake(socket, url, new byte[4096], cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var held = new HeldConnection(socket);
        _ = held.ReceiveLoopAsync();
        return held;
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[1024];
        var count = 0;
        try
        {
            while (true)
            {
                if (count == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
                var result = await _socket.ReceiveAsync(buffer.AsMemory(count), CancellationToken.None).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close) break;
                count += result.Count;
                if (!result.EndOfMessage) continue;
                var (_, failed) = McpFrames.ReadAnswer(buffer.AsSpan(0, count), expectEcho: true);
                count = 0;
                Interlocked.Exchange(ref _answer, null)?.TrySetResult(!failed);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        _dropped = true;
        Interlocked.Exchange(ref _answer, null)?.TrySetResult(false);
    }

    /// <summary>Makes <paramref name="count"/> echo calls in a row; returns how many failed.</summary>
    public async Task<int> CallsAsync(int count, HdrHistogram.HistogramBase histogram)
    {
        var errors = 0;
        for (var i = 0; i < count; i++)
        {
            if (_dropped)
            {
                errors += count - i;
                break;
            }
            var answer = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            _answer = answer;
            var sent = Stopwatch.GetTimestamp();
            try
            {
                var length = McpFrames.WriteCall(_nextId++, _send);
                await _socket.SendAsync(_send.AsMemory(0, length), WebSocketMessageType.Text, true, CancellationToken.None).ConfigureAwait(false);
                var ok = await answer.Task.WaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
                if (ok) histogram.RecordValue(Latency.MicrosecondsSince(sent));
                else errors++;
            }
            catch (Exception ex) when (ex is WebSocketException or TimeoutException or ObjectDisposedException)
            {
                errors++;
            }
        }
        return errors;
    }

    public void Dispose()
    {
        _socket.Abort();
        _socket.Dispose();
    }
}
