using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Pmcp.Actors.Benchmarks.Load;

namespace Pmcp.Actors.Benchmarks.Harness;

/// <summary>
/// The tasks row: the standalone server (one node, tasks in a SQLite file of the run's own, or the store named by
/// <see cref="Store"/>) as a child process, and N
/// WebSocket clients that each, in a loop, make a task (<c>report</c> with 0 seconds, <c>params.task</c>) and read it
/// back with <c>tasks/get</c>. Prints tasks created per second, and the p50 and p99 of both requests.
/// </summary>
internal sealed class TaskScenario(string serverDll, int connections, double seconds, TaskScenario.Store store, TextWriter log)
{
    /// <summary>The server's task store: <c>Pmcp:Tasks:Provider</c>, and a connection string (none: a SQLite file of the run's own).</summary>
    public sealed record Store(string Provider, string? ConnectionString);

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    public async Task<int> RunAsync()
    {
        var data = Path.Combine(Path.GetTempPath(), "pmcp-bench-tasks-" + Guid.NewGuid().ToString("N"));
        log.WriteLine($"== tasks: {connections} connections, each making a task and reading it back, {seconds:0.#} s (store: {store.Provider} {(store.ConnectionString is null ? data : "by connection string")})");
        try
        {
            List<string> args = ["--port", "0", "--Pmcp:Telemetry:MetricsPort=0", "--Pmcp:Tasks:Enabled=true", $"--Pmcp:Tasks:DataFolder={data}", $"--Pmcp:Tasks:Provider={store.Provider}",
                "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Akka=Error"];
            if (store.ConnectionString is { } connectionString) args.Add("--Pmcp:Tasks:ConnectionString=" + connectionString);
            await using var server = ChildProcess.Start("server", serverDll, args, Servers.ServerEnvironment(serverGc: true));
            var url = await server.WaitForListeningAsync(StartTimeout).ConfigureAwait(false);

            await MeasureAsync(url, Math.Min(3, seconds)).ConfigureAwait(false); // warm-up: JIT, the store's tables
            var (created, createUs, getUs, errors) = await MeasureAsync(url, seconds).ConfigureAwait(false);
            log.WriteLine();
            log.WriteLine("| node | tasks created/s | tools/call (task) p50 | p99 | tasks/get p50 | p99 | errors |");
            log.WriteLine("|---|---|---|---|---|---|---|");
            log.WriteLine($"| 1 ({store.Provider}) | {created / seconds:0} | {Ms(createUs, 0.5)} | {Ms(createUs, 0.99)} | {Ms(getUs, 0.5)} | {Ms(getUs, 0.99)} | {errors} |");
            return errors == 0 && created > 0 ? 0 : 2;
        }
        finally
        {
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
                // the temp folder is the system's to clean
            }
        }
    }

    private async Task<(long Created, List<double> CreateUs, List<double> GetUs, long Errors)> MeasureAsync(Uri url, double runSeconds)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(runSeconds));
        var runs = await Task.WhenAll(Enumerable.Range(0, connections).Select(_ => ClientAsync(url, stop.Token))).ConfigureAwait(false);
        return (runs.Sum(r => r.Created), runs.SelectMany(r => r.CreateUs).ToList(), runs.SelectMany(r => r.GetUs).ToList(), runs.Sum(r => r.Errors));
    }

    private static async Task<(long Created, List<double> CreateUs, List<double> GetUs, long Errors)> ClientAsync(Uri url, CancellationToken stop)
    {
        using var socket = WsLoadClient.NewSocket();
        var buffer = new byte[64 * 1024];
        await WsLoadClient.Handshake(socket, url, buffer, CancellationToken.None).ConfigureAwait(false);
        var createUs = new List<double>();
        var getUs = new List<double>();
        long created = 0, errors = 0;
        for (var id = 1; !stop.IsCancellationRequested; id += 2)
        {
            var clock = Stopwatch.StartNew();
            using var create = await RequestAsync(socket, buffer,
                "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"report\",\"arguments\":{\"seconds\":0},\"task\":{\"ttl\":600000}}}").ConfigureAwait(false);
            createUs.Add(clock.Elapsed.TotalMicroseconds);
            if (!create.RootElement.TryGetProperty("result", out var result))
            {
                errors++;
                continue;
            }
            created++;
            var taskId = result.GetProperty("task").GetProperty("taskId").GetString();
            clock.Restart();
            using var get = await RequestAsync(socket, buffer,
                "{\"jsonrpc\":\"2.0\",\"id\":" + (id + 1) + ",\"method\":\"tasks/get\",\"params\":{\"taskId\":\"" + taskId + "\"}}").ConfigureAwait(false);
            getUs.Add(clock.Elapsed.TotalMicroseconds);
            if (!get.RootElement.TryGetProperty("result", out _)) errors++;
        }
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).ConfigureAwait(false);
        return (created, createUs, getUs, errors);
    }

    /// <summary>Sends a request and reads its response, passing over the session's notifications (the 2025 session is told each task's end: notifications/tasks/status).</summary>
    private static async Task<JsonDocument> RequestAsync(ClientWebSocket socket, byte[] buffer, string request)
    {
        await socket.SendAsync(Encoding.UTF8.GetBytes(request), WebSocketMessageType.Text, true, CancellationToken.None).ConfigureAwait(false);
        while (true)
        {
            var received = 0;
            while (true)
            {
                var frame = await socket.ReceiveAsync(buffer.AsMemory(received), CancellationToken.None).ConfigureAwait(false);
                received += frame.Count;
                if (frame.EndOfMessage) break;
            }
            var message = JsonDocument.Parse(buffer.AsMemory(0, received));
            if (message.RootElement.TryGetProperty("id", out _)) return message;
            message.Dispose();
        }
    }

    private static string Ms(List<double> microseconds, double quantile)
    {
        if (microseconds.Count == 0) return "-";
        microseconds.Sort();
        return (microseconds[(int)Math.Min(microseconds.Count - 1, quantile * microseconds.Count)] / 1000).ToString("0.00", CultureInfo.InvariantCulture) + " ms";
    }
}
