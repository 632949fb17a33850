using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Pmcp.Actors.Benchmarks.Load;

namespace Pmcp.Actors.Benchmarks.Harness;

/// <summary>
/// The cluster scenario: the standalone server as a gateway process and one, then two, <c>tools</c> node processes, all
/// on 127.0.0.1; the load generator calls <c>sleep</c> with 5 ms through the gateway. Prints calls/s for 1 and 2 tools
/// nodes, their ratio, and how the tools nodes' CPU time was split between them.
/// </summary>
internal sealed class ClusterScenario(string serverDll, int connections, int inFlight, double seconds, TextWriter log)
{
    /// <summary>How often a node is asked again while the gateway has not found the tools node yet (a poll, with the scenario's deadline).</summary>
    private static readonly TimeSpan JoinPollInterval = TimeSpan.FromMilliseconds(250);

    private const int WaitMs = 5;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    public async Task<int> RunAsync()
    {
        var remotePort = FreePort();
        var seed = $"akka.tcp://pmcp@127.0.0.1:{remotePort}";
        var env = Servers.ServerEnvironment(serverGc: true);
        string[] quiet = ["--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Akka=Error"];
        log.WriteLine($"== cluster: gateway + 1, then 2 tools nodes; {connections} connections x {inFlight} in flight of sleep {WaitMs} ms, {seconds:0.#} s each");
        await using var gateway = ChildProcess.Start("gateway", serverDll,
            ["--role", "gateway", "--port", "0", "--Pmcp:Telemetry:MetricsPort=0", "--remote-port", remotePort.ToString(CultureInfo.InvariantCulture), "--seed-nodes", seed, .. quiet], env);
        var url = await gateway.WaitForListeningAsync(StartTimeout).ConfigureAwait(false);

        var results = new List<(int Nodes, LoadResult Load, double[] CpuSeconds)>();
        var tools = new List<ChildProcess>();
        try
        {
            for (var n = 1; n <= 2; n++)
            {
                var node = ChildProcess.Start($"tools-{n}", serverDll, ["--role", "tools", "--seed-nodes", seed, .. quiet], env);
                tools.Add(node);
                await node.WaitForLineAsync(l => l.StartsWith("joined cluster as tools", StringComparison.Ordinal), StartTimeout).ConfigureAwait(false);
                await WaitForNodesAsync(url, n).ConfigureAwait(false);

                await LoadAsync(url, Math.Min(seconds, 3)).ConfigureAwait(false); // warm-up: JIT on every node
                var cpuBefore = tools.Select(t => t.CpuSeconds()).ToArray();
                var load = await LoadAsync(url, seconds).ConfigureAwait(false);
                var cpu = tools.Select((t, i) => t.CpuSeconds() - cpuBefore[i]).ToArray();
                results.Add((n, load, cpu));
                log.WriteLine($"   {n} tools node(s): {load.CallsPerSecond,8:0} calls/s  p50 {load.P50Us / 1000:0.0} ms  p99 {load.P99Us / 1000:0.0} ms  errors {load.Errors}  " +
                              $"tools CPU {string.Join(" / ", cpu.Select(c => c.ToString("0.0", CultureInfo.InvariantCulture) + " s"))}" +
                              (load.Failure is null ? "" : "  FAILED: " + load.Failure));
            }
        }
        finally
        {
            foreach (var t in tools) await t.DisposeAsync().ConfigureAwait(false);
        }

        var one = results[0].Load.CallsPerSecond;
        var two = results[1].Load.CallsPerSecond;
        var split = results[1].CpuSeconds;
        log.WriteLine();
        log.WriteLine("| tools nodes | calls/s | p50 | p99 | errors | tools nodes' CPU |");
        log.WriteLine("|---|---|---|---|---|---|");
        foreach (var (nodes, load, cpu) in results)
            log.WriteLine($"| {nodes} | {load.CallsPerSecond:0} | {load.P50Us / 1000:0.0} ms | {load.P99Us / 1000:0.0} ms | {load.Errors} | {string.Join(" / ", cpu.Select(c => c.ToString("0.0", CultureInfo.InvariantCulture) + " s"))} |");
        log.WriteLine();
        // CPU time, not calls: the second node has just started and also spends CPU compiling (tiered JIT).
        log.WriteLine($"ratio 2 nodes / 1 node: {two / one:0.00}; with 2 nodes the second used {100 * split[1] / Math.Max(1e-9, split.Sum()):0}% of the tools nodes' CPU time");
        return results.All(r => r.Load.Errors == 0 && r.Load.Failure is null) ? 0 : 2;
    }

    private Task<LoadResult> LoadAsync(Uri url, double runSeconds) => Servers.RunLoadAsync(
    [
        "--url", url.ToString(), "--connections", connections.ToString(CultureInfo.InvariantCulture),
        "--inflight", inFlight.ToString(CultureInfo.InvariantCulture), "--seconds", runSeconds.ToString("0.###", CultureInfo.InvariantCulture),
        "--warmup", "1", "--sleep-ms", WaitMs.ToString(CultureInfo.InvariantCulture),
    ], runSeconds + 1);

    /// <summary>Calls the <c>node</c> demo tool through the gateway until <paramref name="count"/> different tools nodes have answered.</summary>
    private static async Task WaitForNodesAsync(Uri url, int count)
    {
        using var socket = WsLoadClient.NewSocket();
        var buffer = new byte[64 * 1024];
        using var deadline = new CancellationTokenSource(StartTimeout);
        await WsLoadClient.Handshake(socket, url, buffer, deadline.Token).ConfigureAwait(false);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var id = 1; seen.Count < count; id++)
        {
            var call = Encoding.UTF8.GetBytes($$$"""{"jsonrpc":"2.0","id":{{{id}}},"method":"tools/call","params":{"name":"node"}}""");
            await socket.SendAsync(call, WebSocketMessageType.Text, true, deadline.Token).ConfigureAwait(false);
            var received = 0;
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(received), deadline.Token).ConfigureAwait(false);
                received += result.Count;
                if (result.EndOfMessage) break;
            }
            using var answer = JsonDocument.Parse(buffer.AsMemory(0, received));
            if (answer.RootElement.TryGetProperty("result", out var r) && !(r.TryGetProperty("isError", out var e) && e.GetBoolean()))
                seen.Add(r.GetProperty("content")[0].GetProperty("text").GetString()!);
            else
                await Task.Delay(JoinPollInterval, deadline.Token).ConfigureAwait(false); // not joined yet: the gateway answers isError until it is
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
