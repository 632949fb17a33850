using System.Globalization;
using System.Runtime;
using System.Text;
using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Akka.Hosting;
using Pmcp.Actors.Messages;
using Pmcp.Actors.Runtime;
using Pmcp.Actors.Benchmarks.Harness;
using Pmcp.Actors.Hosting;
using Pmcp.Actors.Server;
using Pmcp.Actors.Tools;
using Pmcp.Actors.Transport;
using Pmcp.Protocol;

namespace Pmcp.Actors.Benchmarks.Soak;

/// <summary>
/// The soak (<c>soak</c>): the Pmcp server hosted in this process through the embedding API, the mixed load of
/// <see cref="SoakLoad"/> from a child process. Measures this process's RSS and managed heap after a warm-up and after
/// the load (each after a full, aggressive GC), counts the live connection actors and workers once the server is idle.
/// </summary>
internal static class SoakRunner
{
    private static readonly TimeSpan HangTimeout = TimeSpan.FromMilliseconds(200);

    public static async Task<int> RunAsync(double minutes, int connections, double warmupSeconds, string? outFile)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        builder.Services.AddMcpServer(mcp => mcp
                .Name("pmcp-soak")
                .AddDemoTools()
                .Tool("slow", async (_, ctx) =>
                {
                    var ms = Random.Shared.Next(50, 501);
                    await Task.Delay(ms, ctx.CancellationToken).ConfigureAwait(false);
                    return CallToolResult.Text($"slept {ms} ms");
                }, "Waits a random 50 to 500 ms, honoring cancellation.")
                .Tool(new McpToolDefinition("hang", McpToolDefinition.EmptyInputSchema(), async (_, ctx) =>
                {
                    await Task.Delay(Timeout.Infinite, ctx.CancellationToken).ConfigureAwait(false);
                    return CallToolResult.Text("never");
                })
                { Timeout = HangTimeout }),
            options =>
            {
                options.MaxConnections = Math.Max(1000, connections * 4);
                // Every soak client comes from loopback: as one client it would pass the per-client limits at once.
                options.MaxConnectionsPerClient = 0;
                options.MaxUpgradesPerWindow = 0;
            });
        builder.Services.AddAkka("pmcp-soak", (akka, _) => akka
            .ConfigureLoggers(loggers => loggers.AddLoggerFactory())
            .WithMcpServer());

        await using var app = builder.Build();
        app.MapMcpWebSocket();
        await app.StartAsync().ConfigureAwait(false);
        var url = new Uri($"ws://127.0.0.1:{new Uri(app.Urls.First()).Port}/mcp");
        var system = app.Services.GetRequiredService<ActorSystem>();
        var started = DateTime.UtcNow;
        Console.WriteLine($"soak: server in this process at {url} ({(GCSettings.IsServerGC ? "Server" : "workstation")} GC), " +
                          $"{connections} churning connections, warm-up {warmupSeconds:0} s, then {minutes:0.##} min");

        // Warm-up: the same load, then idle and a full GC, so JIT, pools and Akka's structures are in the baseline.
        var warm = await RunLoadAsync(url, connections, TimeSpan.FromSeconds(warmupSeconds), system, null).ConfigureAwait(false);
        var warmIdle = await AwaitIdleAsync(system, TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        var (rssStart, heapStart) = FullGcAndMeasure();
        Console.WriteLine($"soak: warm-up done ({Sum(warm, "sent")} requests, idle in {warmIdle.Elapsed.TotalSeconds:0.0} s); " +
                          $"baseline RSS {Mib(rssStart)}, heap {Mib(heapStart)}");

        var opened0 = warmIdle.Opened;
        var peak = new PeakSampler(rssStart);
        var loadStart = DateTime.UtcNow;
        var load = await RunLoadAsync(url, connections, TimeSpan.FromMinutes(minutes), system, peak).ConfigureAwait(false);
        var loadElapsed = DateTime.UtcNow - loadStart;
        var idle = await AwaitIdleAsync(system, TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        peak.Stop();
        var rssBeforeGc = RssBytes();
        var (rssEnd, heapEnd) = FullGcAndMeasure();

        var table = Table(minutes, connections, warmupSeconds, loadElapsed, load, idle, idle.Opened - opened0,
            rssStart, peak.Peak, rssBeforeGc, rssEnd, heapStart, heapEnd);
        Console.WriteLine();
        Console.WriteLine(table);
        if (outFile is not null)
        {
            var md = new StringBuilder()
                .AppendLine("# Soak")
                .AppendLine()
                .AppendLine("Issue 6: minutes of mixed load (connects, disconnects, calls, cancellations, slow and timing-out tools) against")
                .AppendLine("the server hosted through the embedding API in the harness process; the load runs in a child process.")
                .AppendLine("Target: no lost responses, RSS at the end within 10 % of the start after a full GC, nothing live at the end.")
                .AppendLine()
                .AppendLine("```")
                .AppendLine(CultureInfo.InvariantCulture, $"dotnet run -c Release --project tests/Pmcp.Actors.Benchmarks -- soak --minutes {minutes.ToString(CultureInfo.InvariantCulture)} --connections {connections}")
                .AppendLine("```")
                .AppendLine()
                .AppendLine(CultureInfo.InvariantCulture, $"Run {started:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores, {(GCSettings.IsServerGC ? "Server" : "workstation")} GC, .NET {Environment.Version}.")
                .AppendLine()
                .AppendLine("```")
                .Append(table)
                .AppendLine("```")
                .AppendLine()
                .AppendLine("How to read it: each connection initializes, sends 1 to 40 requests with 1 to 4 in flight (35 % echo, 20 % `slow`")
                .AppendLine("50–500 ms, 15 % `slow` cancelled 0–150 ms later with notifications/cancelled, 8 % `hang` with a 200 ms tool timeout,")
                .AppendLine("15 % ping, 5 % tools/list, 2 % an unknown method), then 70 % close normally once every request they did not")
                .AppendLine("cancel is answered and 30 % abort the TCP connection with calls in flight. LOST counts requests on a socket the")
                .AppendLine("client kept open and closed normally that got no answer within 15 s. A cancelled request may still be answered")
                .AppendLine("when the answer was already on its way (the race is counted, not an error). RSS is this whole process (server and")
                .AppendLine("the small orchestrator); start and end are read after `GC.Collect(2, Aggressive)` + finalizers, start after the warm-up.");
            Directory.CreateDirectory(Path.GetDirectoryName(outFile)!);
            await File.WriteAllTextAsync(outFile, md.ToString()).ConfigureAwait(false);
            Console.WriteLine($"wrote {outFile}");
        }

        await app.StopAsync().ConfigureAwait(false);
        var ok = Sum(load, "LOST") == 0 && idle.Connections == 0 && idle.Workers == 0 && rssEnd <= rssStart * 1.10;
        return ok ? 0 : 2;
    }

    private static async Task<SortedDictionary<string, long>> RunLoadAsync(Uri url, int connections, TimeSpan duration, ActorSystem system, PeakSampler? peak)
    {
        await using var child = Harness.Servers.StartLoadGenerator("soak-load", [
            "soak-load", "--url", url.ToString(), "--connections", connections.ToString(CultureInfo.InvariantCulture),
            "--seconds", duration.TotalSeconds.ToString(CultureInfo.InvariantCulture),
        ]);
        var json = child.WaitForJsonAsync(duration + TimeSpan.FromMinutes(2));
        var next = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var start = DateTime.UtcNow;
        using var sampling = new PeriodicTimer(TimeSpan.FromSeconds(1)); // RSS is sampled once a second until the load ends
        while (!json.IsCompleted)
        {
            await Task.WhenAny(json, sampling.WaitForNextTickAsync().AsTask()).ConfigureAwait(false);
            peak?.Sample();
            if (peak is not null && DateTime.UtcNow >= next)
            {
                next += TimeSpan.FromSeconds(30);
                var (c, w, opened) = await StatsAsync(system).ConfigureAwait(false);
                Console.WriteLine($"  {(DateTime.UtcNow - start).TotalSeconds,5:0} s: RSS {Mib(RssBytes())}, peak {Mib(peak.Peak)}, heap {Mib(GC.GetTotalMemory(false))}, " +
                                  $"{c} connections live, {w} workers, {opened:N0} opened");
            }
        }
        var counts = SoakCounts.FromJson(await json.ConfigureAwait(false));
        await child.WaitForExitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        return counts;
    }

    private static async Task<(int Connections, int Workers, long Opened)> StatsAsync(ActorSystem system)
    {
        var stats = await system.ActorSelection("/user/pmcp").Ask<McpServerProtocol.Stats>(McpServerProtocol.GetStats.Instance, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        var workers = await system.ActorSelection("/user/pmcp-tools").Ask<ToolRouterProtocol.WorkerCount>(ToolRouterProtocol.GetWorkerCount.Instance, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        return (stats.Connections, workers.Count, stats.ConnectionsOpened);
    }

    private sealed record Idle(int Connections, int Workers, long Opened, TimeSpan Elapsed);

    /// <summary>Polls until no connection actor and no tool worker is left, or the deadline passes; returns what is left.</summary>
    private static async Task<Idle> AwaitIdleAsync(ActorSystem system, TimeSpan deadline)
    {
        var start = DateTime.UtcNow;
        while (true)
        {
            var (c, w, opened) = await StatsAsync(system).ConfigureAwait(false);
            if ((c == 0 && w == 0) || DateTime.UtcNow - start > deadline) return new Idle(c, w, opened, DateTime.UtcNow - start);
            await Task.Delay(50).ConfigureAwait(false); // poll interval of the condition, not a wait for it
        }
    }

    private static (long Rss, long Heap) FullGcAndMeasure()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        return (SettledRss(), GC.GetTotalMemory(forceFullCollection: false));
    }

    /// <summary>
    /// RSS once it has stopped falling: the GC hands freed pages back to the OS shortly after the collection returns.
    /// Read every 50 ms until two readings agree within 1 %, or 3 s have passed.
    /// </summary>
    private static long SettledRss()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(3);
        var previous = RssBytes();
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        while (DateTime.UtcNow < deadline && tick.WaitForNextTickAsync().AsTask().GetAwaiter().GetResult())
        {
            var current = RssBytes();
            if (Math.Abs(current - previous) <= previous / 100) return current;
            previous = current;
        }
        return previous;
    }

    private sealed class PeakSampler(long initial)
    {
        private bool _stopped;

        public long Peak { get; private set; } = initial;

        public void Sample()
        {
            if (!_stopped) Peak = Math.Max(Peak, RssBytes());
        }

        public void Stop()
        {
            Sample();
            _stopped = true;
        }
    }

    /// <summary>VmRSS of this process, in bytes.</summary>
    private static long RssBytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
            return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
        return 0;
    }

    private static long Sum(SortedDictionary<string, long> counts, string key) => counts.GetValueOrDefault(key);

    private static string Mib(long bytes) => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) + " MiB";

    private static string Table(double minutes, int connections, double warmupSeconds, TimeSpan elapsed, SortedDictionary<string, long> load, Idle idle,
        long opened, long rssStart, long rssPeak, long rssBeforeGc, long rssEnd, long heapStart, long heapEnd)
    {
        var rows = new List<(string, string)>
        {
            ("duration", $"{elapsed.TotalMinutes:0.00} min of load (asked {minutes:0.##}), {connections} churning connections; warm-up {warmupSeconds:0} s before it"),
            ("connections opened (server)", opened.ToString("N0", CultureInfo.InvariantCulture)),
        };
        foreach (var key in new[] { "connections", "closed normally", "aborted by client", "connect failed", "closed by server" })
            if (load.ContainsKey(key) || key is "connections" or "connect failed") rows.Add(("client: " + key, SoakCounts.Format(Sum(load, key))));
        foreach (var (k, v) in load.Where(kv => kv.Key.StartsWith("socket error", StringComparison.Ordinal)))
            rows.Add(("client: " + k, SoakCounts.Format(v)));
        rows.Add(("calls made (requests sent)", SoakCounts.Format(Sum(load, "sent"))));
        foreach (var (k, v) in load.Where(kv => kv.Key.StartsWith("sent ", StringComparison.Ordinal)))
            rows.Add(("  " + k, SoakCounts.Format(v)));
        rows.Add(("responses received", SoakCounts.Format(Sum(load, "answered"))));
        foreach (var (k, v) in load.Where(kv => kv.Key.StartsWith("responses: ", StringComparison.Ordinal)))
            rows.Add(("  " + k["responses: ".Length..], SoakCounts.Format(v)));
        rows.Add(("errors by kind (request kind: outcome)", ""));
        foreach (var (k, v) in load.Where(kv => !kv.Key.StartsWith("responses: ", StringComparison.Ordinal)
                                                 && (kv.Key.Contains(": error", StringComparison.Ordinal) || kv.Key.Contains(": isError", StringComparison.Ordinal))))
            rows.Add(("  " + k, SoakCounts.Format(v)));
        rows.Add(("cancelled by client (no answer expected)", SoakCounts.Format(Sum(load, "cancelled by client (no answer expected)"))));
        rows.Add(("  answered anyway (answer already on its way)", SoakCounts.Format(Sum(load, "answered after the client cancelled (race)"))));
        rows.Add(("in flight at client abort (not counted lost)", SoakCounts.Format(Sum(load, "in flight at abort (not lost)"))));
        foreach (var (k, v) in load.Where(kv => kv.Key.StartsWith("LOST ", StringComparison.Ordinal)))
            rows.Add(("  " + k, SoakCounts.Format(v)));
        foreach (var key in new[] { "in flight at socket error", "in flight when the socket ended under the client", "answers to unknown ids",
                     "answers without a numeric id", "no free slot within 15 s", "socket ended before all requests were sent", "server requests answered" })
            if (load.TryGetValue(key, out var count)) rows.Add((key, SoakCounts.Format(count)));
        var lost = Sum(load, "LOST");
        rows.Add(("LOST (target 0)", SoakCounts.Format(lost) + (lost == 0 ? "  ok" : "  FAILED")));
        var within = rssEnd <= rssStart * 1.10;
        rows.Add(("RSS start (after warm-up + full GC)", Mib(rssStart)));
        rows.Add(("RSS peak (sampled each second)", Mib(rssPeak)));
        rows.Add(("RSS end, before GC", Mib(rssBeforeGc)));
        rows.Add(("RSS end (after full GC)", $"{Mib(rssEnd)} ({(rssEnd - rssStart) * 100.0 / rssStart:+0.0;-0.0} %)"));
        rows.Add(("RSS end within 10 % of start", within ? "yes" : "NO"));
        rows.Add(("managed heap start / end", $"{Mib(heapStart)} / {Mib(heapEnd)}"));
        rows.Add(("live connection actors at end", idle.Connections.ToString(CultureInfo.InvariantCulture)));
        rows.Add(("live tool workers at end", idle.Workers.ToString(CultureInfo.InvariantCulture)));
        rows.Add(("idle after load ended in", $"{idle.Elapsed.TotalSeconds:0.0} s"));

        var width = rows.Max(r => r.Item1.Length);
        var sb = new StringBuilder();
        foreach (var (k, v) in rows) sb.Append(k.PadRight(width + 2)).AppendLine(v);
        return sb.ToString();
    }
}
