using System.Collections.Concurrent;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Pmcp.Actors.Benchmarks.Load;

namespace Pmcp.Actors.Benchmarks.Soak;

/// <summary>
/// The soak's mixed load (<c>soak-load</c>): ~N connections churning for the duration. Each connection initializes,
/// sends a random number of requests (echo, slow, slow then cancelled, timing out, ping, tools/list, unknown method)
/// with 1 to 4 in flight, then either closes normally after every request it did not cancel is answered, or aborts the
/// TCP connection mid-flight; then a new connection takes its place. Prints its counts as one JSON line.
/// </summary>
internal static class SoakLoad
{
    /// <summary>How long a normally closing connection waits for its last answers before it counts them lost.</summary>
    private static readonly TimeSpan AnswerWait = TimeSpan.FromSeconds(15);

    public static async Task<int> RunAsync(Uri url, int connections, TimeSpan duration, CancellationToken cancellationToken)
    {
        var counts = new SoakCounts();
        var until = DateTime.UtcNow + duration;
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async _ =>
        {
            await Task.Yield();
            while (DateTime.UtcNow < until && !cancellationToken.IsCancellationRequested)
            {
                await OneConnectionAsync(url, counts, cancellationToken).ConfigureAwait(false);
            }
        })).ConfigureAwait(false);
        Console.WriteLine(counts.ToJson());
        return 0;
    }

    /// <summary>Load shape, not synchronisation: a client whose connect failed waits this long before the next one, as a real client would.</summary>
    private static readonly TimeSpan ReconnectBackoff = TimeSpan.FromMilliseconds(100);

    private static async Task OneConnectionAsync(Uri url, SoakCounts counts, CancellationToken cancellationToken)
    {
        using var socket = WsLoadClient.NewSocket();
        try
        {
            await WsLoadClient.Handshake(socket, url, new byte[8192], cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or InvalidOperationException)
        {
            counts.Add("connect failed");
            await Task.Delay(ReconnectBackoff, CancellationToken.None).ConfigureAwait(false);
            return;
        }
        counts.Add("connections");

        var conn = new SoakConnection(socket, counts);
        var receive = conn.ReceiveLoopAsync();
        var requests = Random.Shared.Next(1, 41);
        var abort = Random.Shared.NextDouble() < 0.3;
        var abortAfter = abort ? Random.Shared.Next(0, requests) : -1;
        var maxInFlight = Random.Shared.Next(1, 5);
        var slots = new SemaphoreSlim(maxInFlight, maxInFlight); // not disposed: a late cancellation may still release it
        conn.Slots = slots;
        try
        {
            for (var i = 0; i < requests; i++)
            {
                if (!await slots.WaitAsync(AnswerWait, cancellationToken).ConfigureAwait(false) || receive.IsCompleted)
                {
                    counts.Add(receive.IsCompleted ? "socket ended before all requests were sent" : "no free slot within 15 s");
                    break;
                }
                await conn.SendRequestAsync(PickKind()).ConfigureAwait(false);
                if (i == abortAfter) break;
            }

            if (abort)
            {
                await Task.Delay(Random.Shared.Next(0, 200), CancellationToken.None).ConfigureAwait(false);
                conn.Aborted = true; // a cancellation still due now would count the call twice
                counts.Add("aborted by client");
                counts.Add("in flight at abort (not lost)", conn.PendingUncancelled());
                socket.Abort();
                await receive.ConfigureAwait(false);
                return;
            }

            // Normal close: every request it did not cancel must be answered first.
            await conn.WaitAnsweredAsync(AnswerWait).ConfigureAwait(false);
            if (receive.IsCompleted)
            {
                // The server closed or broke the socket first: not a socket the client kept open, so not "lost".
                counts.Add("in flight when the socket ended under the client", conn.PendingUncancelled());
                return;
            }
            var lost = conn.PendingUncancelled();
            if (lost > 0)
            {
                counts.Add("LOST", lost);
                foreach (var kind in conn.UnansweredKinds()) counts.Add("LOST " + kind);
            }
            using var closeTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            conn.Closing = true;
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", closeTimeout.Token).ConfigureAwait(false);
            counts.Add("closed normally");
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or InvalidOperationException)
        {
            // The server closed or broke the socket under an open connection: what it held is counted, not lost by the client.
            counts.Add("socket error: " + ex.GetType().Name);
            Console.Error.WriteLine("socket error: " + ex.Message);
            counts.Add("in flight at socket error", conn.PendingUncancelled());
            socket.Abort();
        }
        try
        {
            await receive.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
        }
    }

    private static RequestKind PickKind()
    {
        var r = Random.Shared.Next(100);
        return r switch
        {
            < 35 => RequestKind.Echo,
            < 55 => RequestKind.Slow,
            < 70 => RequestKind.SlowCancelled,
            < 78 => RequestKind.Hang,
            < 93 => RequestKind.Ping,
            < 98 => RequestKind.ToolsList,
            _ => RequestKind.UnknownMethod,
        };
    }
}

internal enum RequestKind
{
    Echo,
    Slow,
    SlowCancelled,
    Hang,
    Ping,
    ToolsList,
    UnknownMethod,
}

internal sealed class SoakConnection(ClientWebSocket socket, SoakCounts counts)
{
    private readonly ConcurrentDictionary<long, Pending> _pending = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private volatile bool _ended;
    private long _nextId = 1;

    public SemaphoreSlim? Slots { get; set; }

    public volatile bool Closing;

    public volatile bool Aborted;

    private sealed class Pending(RequestKind kind)
    {
        public RequestKind Kind { get; } = kind;
        public bool Cancelled { get; set; }
        public bool Done { get; set; }
    }

    public int PendingUncancelled() => _pending.Values.Count(p => { lock (p) return !p.Cancelled && !p.Done; });

    public async Task SendRequestAsync(RequestKind kind)
    {
        var id = _nextId++;
        var pending = new Pending(kind);
        _pending[id] = pending;
        var text = kind switch
        {
            RequestKind.Echo => Call(id, "echo", "{\"text\":\"" + McpFrames.EchoText + "\"}"),
            RequestKind.Slow or RequestKind.SlowCancelled => Call(id, "slow", "{}"),
            RequestKind.Hang => Call(id, "hang", "{}"),
            RequestKind.Ping => $"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"method\":\"ping\"}}",
            RequestKind.ToolsList => $"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"method\":\"tools/list\"}}",
            _ => $"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"method\":\"soak/no-such-method\"}}",
        };
        counts.Add("sent");
        counts.Add("sent " + kind);
        await SendAsync(text).ConfigureAwait(false);
        if (kind == RequestKind.SlowCancelled) _ = CancelLaterAsync(id, pending);
    }

    private async Task CancelLaterAsync(long id, Pending pending)
    {
        await Task.Delay(Random.Shared.Next(0, 150)).ConfigureAwait(false);
        lock (pending)
        {
            if (pending.Done || Aborted || _ended) return; // answered before the client got to cancel it, or the socket is gone
            pending.Cancelled = true;
        }
        counts.Add("cancelled by client (no answer expected)");
        Slots?.Release();
        try
        {
            await SendAsync($"{{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{{\"requestId\":{id},\"reason\":\"soak\"}}}}").ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    private static string Call(long id, string tool, string arguments) =>
        $"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"method\":\"tools/call\",\"params\":{{\"name\":\"{tool}\",\"arguments\":{arguments}}}}}";

    private async Task SendAsync(string text)
    {
        await _sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, timeout.Token).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public async Task WaitAnsweredAsync(TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (PendingUncancelled() > 0 && !_ended && DateTime.UtcNow < until)
            await Task.Delay(5).ConfigureAwait(false); // poll interval of the condition, not a wait for it
    }

    /// <summary>What the client had not been answered on when it gave up, by request kind.</summary>
    public IEnumerable<RequestKind> UnansweredKinds() =>
        _pending.Values.Where(p => { lock (p) return !p.Cancelled && !p.Done; }).Select(p => p.Kind).ToList();

    public async Task ReceiveLoopAsync()
    {
        await Task.Yield();
        var buffer = new byte[16 * 1024];
        var count = 0;
        try
        {
            while (true)
            {
                if (count == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
                var result = await socket.ReceiveAsync(buffer.AsMemory(count), CancellationToken.None).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    if (!Closing) counts.Add("closed by server");
                    return;
                }
                count += result.Count;
                if (!result.EndOfMessage) continue;
                await OnMessageAsync(buffer.AsMemory(0, count)).ConfigureAwait(false);
                count = 0;
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            _ended = true;
        }
    }

    private async Task OnMessageAsync(ReadOnlyMemory<byte> message)
    {
        long id;
        string outcome;
        using (var doc = JsonDocument.Parse(message))
        {
            var root = doc.RootElement;
            var hasId = root.TryGetProperty("id", out var idElement);
            if (root.TryGetProperty("method", out _))
            {
                if (hasId)
                {
                    // A request from the server (a JSON-RPC ping): answer it.
                    counts.Add("server requests answered");
                    await SendAsync("{\"jsonrpc\":\"2.0\",\"id\":" + idElement.GetRawText() + ",\"result\":{}}").ConfigureAwait(false);
                }
                else
                {
                    counts.Add("server notifications");
                }
                return;
            }
            if (!hasId || idElement.ValueKind != JsonValueKind.Number)
            {
                counts.Add("answers without a numeric id");
                return;
            }
            id = idElement.GetInt64();
            if (root.TryGetProperty("error", out var error))
            {
                outcome = "error " + (error.TryGetProperty("code", out var code) ? code.GetRawText() : "?");
            }
            else if (root.TryGetProperty("result", out var result) && result.ValueKind == JsonValueKind.Object
                     && result.TryGetProperty("isError", out var isError) && isError.ValueKind == JsonValueKind.True)
            {
                var text = result.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.Array && content.GetArrayLength() > 0
                                                                              && content[0].TryGetProperty("text", out var t) ? t.GetString() ?? "" : "";
                outcome = "isError" + (text.Contains("timed out", StringComparison.OrdinalIgnoreCase) ? " (timed out)" : "");
            }
            else
            {
                outcome = "result";
            }
        }

        if (!_pending.TryRemove(id, out var pending))
        {
            counts.Add("answers to unknown ids");
            return;
        }
        bool wasCancelled;
        lock (pending)
        {
            wasCancelled = pending.Cancelled;
            pending.Done = true;
        }
        counts.Add("answered");
        if (wasCancelled)
        {
            counts.Add("answered after the client cancelled (race)");
            return;
        }
        counts.Add(pending.Kind + ": " + outcome);
        counts.Add("responses: " + outcome);
        Slots?.Release();
    }
}

/// <summary>Named counters, printed as one JSON object.</summary>
internal sealed class SoakCounts
{
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    public void Add(string name, long by = 1)
    {
        if (by != 0) _counts.AddOrUpdate(name, by, (_, v) => v + by);
    }

    public string ToJson() => JsonSerializer.Serialize(new SortedDictionary<string, long>(_counts, StringComparer.Ordinal));

    public static SortedDictionary<string, long> FromJson(string json) =>
        new(JsonSerializer.Deserialize<Dictionary<string, long>>(json) ?? [], StringComparer.Ordinal);

    public static string Format(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
