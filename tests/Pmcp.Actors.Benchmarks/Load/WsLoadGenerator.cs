using System.Diagnostics;
using System.Net.WebSockets;
using HdrHistogram;

namespace Pmcp.Actors.Benchmarks.Load;

/// <summary>
/// N WebSocket connections, each initialized, each keeping D <c>tools/call echo</c> requests in flight: a new call is
/// sent as soon as an answer arrives. Answers are counted, and their latency recorded, only inside the measured window.
/// </summary>
internal static class WsLoadGenerator
{
    /// <param name="sleepMs">When set, the calls are <c>tools/call sleep</c> with this many milliseconds instead of echo.</param>
    public static async Task<LoadResult> RunAsync(Uri url, int connections, int inFlight, TimeSpan warmup, TimeSpan duration, CancellationToken cancellationToken, int? sleepMs = null)
    {
        var clients = new WsLoadClient[connections];
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, connections),
                new ParallelOptions { MaxDegreeOfParallelism = 64, CancellationToken = cancellationToken },
                async (i, token) => clients[i] = await WsLoadClient.ConnectAsync(url, inFlight, token, sleepMs).ConfigureAwait(false)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or TimeoutException or InvalidOperationException)
        {
            foreach (var c in clients) c?.Dispose();
            return LoadResult.From("ws", connections, inFlight, duration.TotalSeconds, Latency.NewHistogram(), connections, "connect/initialize failed: " + ex.Message);
        }

        var histogram = Latency.NewHistogram();
        var measureFrom = Stopwatch.GetTimestamp() + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var measureTo = measureFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        using var deadline = new CancellationTokenSource(warmup + duration + TimeSpan.FromSeconds(15));
        await Task.WhenAll(clients.Select(c => c.RunAsync(measureFrom, measureTo, histogram, deadline.Token))).ConfigureAwait(false);
        var errors = clients.Sum(c => c.Errors);
        var total = clients.Sum(c => c.Answers);
        foreach (var c in clients) c.Dispose();
        return LoadResult.From("ws", connections, inFlight, duration.TotalSeconds, histogram, errors, totalCalls: total);
    }
}

internal sealed class WsLoadClient : IDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly int _inFlight;
    private readonly long[] _sentAt;
    private readonly byte[] _send = new byte[McpFrames.MaxCallLength];
    private byte[] _receive = new byte[16 * 1024];
    private readonly byte[]? _sleepSuffix;

    private WsLoadClient(ClientWebSocket socket, int inFlight, int? sleepMs)
    {
        _socket = socket;
        _inFlight = inFlight;
        _sentAt = new long[inFlight];
        _sleepSuffix = sleepMs is { } ms ? McpFrames.SleepSuffix(ms) : null;
    }

    public long Errors { get; private set; }

    public long Answers { get; private set; }

    public static ClientWebSocket NewSocket()
    {
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("mcp");
        socket.Options.KeepAliveInterval = TimeSpan.Zero; // the servers' keepalive is what is measured, not the client's
        return socket;
    }

    public static async Task<WsLoadClient> ConnectAsync(Uri url, int inFlight, CancellationToken cancellationToken, int? sleepMs = null)
    {
        var socket = NewSocket();
        try
        {
            await Handshake(socket, url, new byte[4096], cancellationToken).ConfigureAwait(false);
            return new WsLoadClient(socket, inFlight, sleepMs);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Connects, sends initialize, waits for its answer, sends notifications/initialized.</summary>
    public static async Task Handshake(ClientWebSocket socket, Uri url, byte[] buffer, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        await socket.ConnectAsync(url, timeout.Token).ConfigureAwait(false);
        await socket.SendAsync(McpFrames.Initialize, WebSocketMessageType.Text, true, timeout.Token).ConfigureAwait(false);
        var count = 0;
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(count), timeout.Token).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close) throw new WebSocketException("closed during initialize");
            count += result.Count;
            if (result.EndOfMessage) break;
            if (count == buffer.Length) throw new InvalidOperationException("initialize answer too large");
        }
        if (McpFrames.ReadAnswer(buffer.AsSpan(0, count), expectEcho: false) is not (0, false))
            throw new InvalidOperationException("initialize failed: " + System.Text.Encoding.UTF8.GetString(buffer, 0, count));
        await socket.SendAsync(McpFrames.Initialized, WebSocketMessageType.Text, true, timeout.Token).ConfigureAwait(false);
    }

    public async Task RunAsync(long measureFrom, long measureTo, HistogramBase histogram, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var outstanding = _inFlight;
        try
        {
            for (var slot = 0; slot < _inFlight; slot++) await SendAsync(slot, cancellationToken).ConfigureAwait(false);
            var count = 0;
            while (outstanding > 0)
            {
                if (count == _receive.Length) Array.Resize(ref _receive, _receive.Length * 2);
                var result = await _socket.ReceiveAsync(_receive.AsMemory(count), cancellationToken).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close) break;
                count += result.Count;
                if (!result.EndOfMessage) continue;

                var now = Stopwatch.GetTimestamp();
                var (id, failed) = McpFrames.ReadAnswer(_receive.AsSpan(0, count), expectEcho: _sleepSuffix is null);
                count = 0;
                if (id < 0)
                {
                    Errors++;
                    continue;
                }

                var slot = (int)(id % _inFlight);
                Answers++;
                if (failed) Errors++;
                else if (now >= measureFrom && now <= measureTo)
                    histogram.RecordValue(Math.Max(1, (now - _sentAt[slot]) * 1_000_000 / Stopwatch.Frequency));

                if (now < measureTo) await SendAsync(id + _inFlight, cancellationToken).ConfigureAwait(false);
                else outstanding--;
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
        }
        Errors += outstanding; // calls never answered
    }

    private ValueTask SendAsync(long id, CancellationToken cancellationToken)
    {
        var length = _sleepSuffix is null ? McpFrames.WriteCall(id, _send) : McpFrames.WriteCall(id, _send, _sleepSuffix);
        _sentAt[(int)(id % _inFlight)] = Stopwatch.GetTimestamp();
        return _socket.SendAsync(_send.AsMemory(0, length), WebSocketMessageType.Text, true, cancellationToken);
    }

    public void Dispose()
    {
        _socket.Abort();
        _socket.Dispose();
    }
}
