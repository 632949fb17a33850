using System.CommandLine;
using System.Globalization;
using System.Reflection;
using Pmcp.Actors.Benchmarks.Harness;
using Pmcp.Actors.Benchmarks.Load;
using Pmcp.Actors.Benchmarks.Micro;
using Pmcp.Actors.Benchmarks.Servers;

namespace Pmcp.Actors.Benchmarks;

/// <summary>
/// The benchmark harness. <c>all</c> runs every scenario against Pmcp.Actors, the thin baselines (WebSocket and HTTP) and
/// the C# SDK, each in a child process, with the load generator in another, and writes docs/benchmarks.md and docs/benchmarks.png.
/// </summary>
public static class Program
{
    public static Task<int> Main(string[] args) => BuildCommand().Parse(args).InvokeAsync();

    private static RootCommand BuildCommand()
    {
        var root = new RootCommand("Pmcp.Actors benchmarks: throughput, latency, memory and scale against a thin baseline and the official C# SDK.");

        var quick = new Option<bool>("--quick") { Description = "Short runs, one repetition, 2,000 connections (HTTP sessions) for memory and scale: about 4 minutes with both tables, 2 with one." };
        var outDir = new Option<string?>("--out") { Description = "Folder for benchmarks.md and benchmarks.png (default: the repository's docs/)." };
        var sdkStateful = new Option<bool>("--sdk-stateful") { Description = "Run the C# SDK stateful (Mcp-Session-Id) instead of its stateless default." };
        var gc = new Option<string>("--gc")
        {
            Description = "shipped (default): each server with the GC of its own runtime configuration (workstation GC for all of them); server or workstation: every server with that GC.",
            DefaultValueFactory = _ => "shipped",
        };
        gc.AcceptOnlyFromAmong("shipped", "server", "workstation");
        var noMicro = new Option<bool>("--no-micro") { Description = "Skip the BenchmarkDotNet micro-benchmarks." };
        var pmcpDll = new Option<string?>("--pmcp-dll") { Description = "Run this Pmcp.Actors.Server.dll instead of the one built beside the harness." };
        var compareDll = new Option<string?>("--compare-dll") { Description = "Also run this Pmcp.Actors.Server.dll in the same run (e.g. a build from before a change)." };
        var compareLabel = new Option<string?>("--compare-label") { Description = "Its label in the tables (default: Pmcp.Actors (compare))." };
        var tables = new Option<string>("--transport")
        {
            Description = "both (default): the WebSocket and the Streamable HTTP table; ws or http: that table only (scale is WebSocket only).",
            DefaultValueFactory = _ => "both",
        };
        tables.AcceptOnlyFromAmong("both", "ws", "http");

        var all = new Command("all", "Every scenario; writes benchmarks.md and benchmarks.png.") { quick, outDir, sdkStateful, gc, noMicro, pmcpDll, compareDll, compareLabel, tables };
        all.SetAction(async parse =>
        {
            var settings = Settings(parse, quick, outDir, sdkStateful, gc, pmcpDll, compareDll, compareLabel, tables) with
            {
                Micro = !parse.GetValue(noMicro) && !parse.GetValue(quick),
            };
            var results = await new Orchestrator(settings, Console.Out).RunAllAsync().ConfigureAwait(false);
            var report = new Report(settings, results, CommandLine(args: parse.Tokens.Where(t => t.Type != System.CommandLine.Parsing.TokenType.Command).Select(t => t.Value)));
            var written = report.Write(settings.OutDir);
            Console.WriteLine();
            Console.WriteLine(report.Summary());
            Console.WriteLine($"wrote {written} in {results.Elapsed.TotalSeconds:0} s");
            return results.Problems.Count == 0 ? 0 : 2;
        });
        root.Subcommands.Add(all);

        foreach (var (name, description) in new[]
                 {
                     ("throughput", "Throughput and latency only (the sweep and 1 × 1); prints the tables."),
                     ("memory", "RSS growth per idle initialized connection only; prints the table."),
                     ("scale", "The scale scenario only; prints the table."),
                 })
        {
            var command = new Command(name, description) { quick, outDir, sdkStateful, gc, pmcpDll, compareDll, compareLabel };
            if (name != "scale") command.Options.Add(tables);
            var connections = new Option<int?>("--connections") { Description = "Connections for memory or scale." };
            var hold = new Option<double?>("--hold") { Description = "Seconds to hold the scale connections." };
            var reps = new Option<int?>("--repetitions") { Description = "Repetitions (throughput, memory)." };
            var seconds = new Option<double?>("--seconds") { Description = "Measured seconds per throughput run." };
            var sweep = new Option<string?>("--sweep") { Description = "Connection counts for the throughput sweep, e.g. 1,16,64." };
            var actorHop = new Option<bool>("--actor-hop-baseline") { Description = "throughput: also run the thin baseline with one actor hop per message in the WebSocket table." };
            if (name == "throughput") command.Options.Add(actorHop);
            command.Options.Add(connections);
            command.Options.Add(hold);
            command.Options.Add(reps);
            command.Options.Add(seconds);
            command.Options.Add(sweep);
            command.SetAction(async parse =>
            {
                var settings = Settings(parse, quick, outDir, sdkStateful, gc, pmcpDll, compareDll, compareLabel, name == "scale" ? null : tables);
                if (name == "scale") settings = settings with { ScaleBaseline = true };
                if (parse.GetValue(connections) is { } n) settings = settings with { MemoryConnections = n, ScaleConnections = n };
                if (parse.GetValue(hold) is { } h) settings = settings with { ScaleHoldSeconds = h };
                if (parse.GetValue(reps) is { } r) settings = settings with { Repetitions = r, MemoryRepetitions = r };
                if (parse.GetValue(seconds) is { } s) settings = settings with { Seconds = s };
                if (name == "throughput") settings = settings with { ActorHopBaseline = parse.GetValue(actorHop) };
                if (parse.GetValue(sweep) is { } list) settings = settings with { Sweep = list.Split(',').Select(x => int.Parse(x, CultureInfo.InvariantCulture)).ToArray() };
                var orchestrator = new Orchestrator(settings, Console.Out);
                var results = new RunResults();
                switch (name)
                {
                    case "throughput": await orchestrator.ThroughputAndLatencyAsync(results).ConfigureAwait(false); break;
                    case "memory": await orchestrator.MemoryAsync(results).ConfigureAwait(false); break;
                    default: await orchestrator.ScaleAsync(results).ConfigureAwait(false); break;
                }
                var report = new Report(settings, results, "");
                Console.WriteLine();
                Console.WriteLine(report.Summary());
                return results.Problems.Count == 0 ? 0 : 2;
            });
            root.Subcommands.Add(command);
        }

        var filter = new Option<string[]>("--filter") { Description = "BenchmarkDotNet glob filters, e.g. *ActorPath*." };
        var job = new Option<MicroRunner.Length>("--job") { Description = "dry, short or default (default: short).", DefaultValueFactory = _ => MicroRunner.Length.Short };
        var micro = new Command("micro", "The BenchmarkDotNet micro-benchmarks of the hot path (in process, MemoryDiagnoser).") { filter, job };
        micro.SetAction(parse =>
        {
            MicroRunner.Run(false, parse.GetValue(filter) ?? [], Console.Out, parse.GetValue(job));
            return 0;
        });
        root.Subcommands.Add(micro);

        var url = new Option<Uri>("--url") { Required = true, CustomParser = r => new Uri(r.Tokens.Single().Value, UriKind.Absolute), Description = "ws://... over WebSocket, http://... over Streamable HTTP (--transport http)." };
        var connectionsOption = new Option<int>("--connections") { DefaultValueFactory = _ => 1 };
        var inflight = new Option<int>("--inflight") { DefaultValueFactory = _ => 1 };
        var secondsOption = new Option<double>("--seconds") { DefaultValueFactory = _ => 5 };
        var warmup = new Option<double>("--warmup") { DefaultValueFactory = _ => 2 };
        var transport = new Option<string>("--transport") { DefaultValueFactory = _ => "ws" };
        transport.AcceptOnlyFromAmong("ws", "http");
        var sleepMs = new Option<int?>("--sleep-ms") { Description = "Call the sleep tool with this many ms instead of echo (WebSocket only)." };
        var era = new Option<string>("--era")
        {
            Description = "HTTP only: 2025-11-25 (sessions: initialize, then Mcp-Session-Id on every call) or 2026-07-28 (stateless requests, no session).",
            DefaultValueFactory = _ => McpFrames.ProtocolVersion,
        };
        era.AcceptOnlyFromAmong(McpFrames.ProtocolVersion, McpFrames.StatelessProtocolVersion);
        var loadgen = new Command("loadgen", "Load generator: N connections × D calls in flight for T seconds; prints one JSON line.")
        {
            url, connectionsOption, inflight, secondsOption, warmup, transport, sleepMs, era,
        };
        loadgen.SetAction(async (parse, ct) =>
        {
            var u = parse.GetValue(url)!;
            var n = parse.GetValue(connectionsOption);
            var d = parse.GetValue(inflight);
            var w = TimeSpan.FromSeconds(parse.GetValue(warmup));
            var t = TimeSpan.FromSeconds(parse.GetValue(secondsOption));
            var result = parse.GetValue(transport) == "http"
                ? await HttpLoadGenerator.RunAsync(u, n, d, w, t, ct, parse.GetValue(era)).ConfigureAwait(false)
                : await WsLoadGenerator.RunAsync(u, n, d, w, t, ct, parse.GetValue(sleepMs)).ConfigureAwait(false);
            Console.WriteLine(result.ToJson());
            return 0;
        });
        root.Subcommands.Add(loadgen);

        var parallel = new Option<int>("--parallel") { DefaultValueFactory = _ => 64, Description = "Handshakes at a time." };
        var holdCommand = new Command("hold", "Opens N initialized WebSocket connections (or, with --transport http, N idle 2025 HTTP sessions) and holds them; " +
                                              "reads status (WebSocket only) / calls K / exit on stdin.")
        {
            url, connectionsOption, parallel, transport,
        };
        holdCommand.SetAction((parse, ct) => parse.GetValue(transport) == "http"
            ? HttpHoldGenerator.RunAsync(parse.GetValue(url)!, parse.GetValue(connectionsOption), parse.GetValue(parallel), ct)
            : HoldGenerator.RunAsync(parse.GetValue(url)!, parse.GetValue(connectionsOption), parse.GetValue(parallel), ct));
        root.Subcommands.Add(holdCommand);

        var clusterSeconds = new Option<double>("--seconds") { DefaultValueFactory = _ => 8, Description = "Measured seconds per run." };
        var clusterConnections = new Option<int>("--connections") { DefaultValueFactory = _ => 16 };
        var clusterInFlight = new Option<int>("--inflight") { DefaultValueFactory = _ => 8 };
        var cluster = new Command("cluster", "A gateway and 1, then 2, tools nodes (each a process): calls/s of a tool that waits 5 ms, and the ratio.")
        {
            clusterSeconds, clusterConnections, clusterInFlight, pmcpDll,
        };
        cluster.SetAction(async parse =>
        {
            var dll = parse.GetValue(pmcpDll) is { } p ? Path.GetFullPath(p) : Harness.Servers.DefaultPmcpDll;
            var scenario = new ClusterScenario(dll, parse.GetValue(clusterConnections), parse.GetValue(clusterInFlight), parse.GetValue(clusterSeconds), Console.Out);
            return await scenario.RunAsync().ConfigureAwait(false);
        });
        root.Subcommands.Add(cluster);

        var costRounds = new Option<int>("--rounds") { DefaultValueFactory = _ => 6, Description = "Measured runs of each server, alternating." };
        var costSeconds = new Option<double>("--seconds") { DefaultValueFactory = _ => 6, Description = "Measured seconds per run." };
        var costWarmup = new Option<double>("--warmup") { DefaultValueFactory = _ => 10, Description = "Unmeasured seconds of the same load for each fresh server (tiered JIT)." };
        var metricsCost = new Command("metrics-cost", "Same-run A/B of the standalone server with metrics on (as shipped) and off (Pmcp:Telemetry:Enabled=false) " +
                                                      "at WebSocket 16 x 4: server CPU per call of each and the difference; exit 2 when over 5 %.")
        {
            costRounds, costSeconds, costWarmup, pmcpDll,
        };
        metricsCost.SetAction(parse =>
        {
            var dll = parse.GetValue(pmcpDll) is { } p ? Path.GetFullPath(p) : Harness.Servers.DefaultPmcpDll;
            return new MetricsCostScenario(dll, parse.GetValue(costRounds), parse.GetValue(costSeconds), parse.GetValue(costWarmup), Console.Out).RunAsync();
        });
        root.Subcommands.Add(metricsCost);

        var tasksSeconds = new Option<double>("--seconds") { DefaultValueFactory = _ => 8, Description = "Measured seconds." };
        var tasksConnections = new Option<int>("--connections") { DefaultValueFactory = _ => 8, Description = "Clients, each making a task and reading it back in a loop." };
        var tasksProvider = new Option<string>("--tasks-provider") { DefaultValueFactory = _ => "SQLite", Description = "Pmcp:Tasks:Provider of the server (SQLite, PostgreSQL)." };
        var tasksConnectionString = new Option<string?>("--tasks-connection-string") { Description = "Pmcp:Tasks:ConnectionString of the server (default: a SQLite file of the run's own)." };
        var tasks = new Command("tasks", "One node with tasks (SQLite, or the store named): tasks created/s and the p50/p99 of the task-making tools/call and of tasks/get.")
        {
            tasksSeconds, tasksConnections, pmcpDll, tasksProvider, tasksConnectionString,
        };
        tasks.SetAction(async parse =>
        {
            var dll = parse.GetValue(pmcpDll) is { } p ? Path.GetFullPath(p) : Harness.Servers.DefaultPmcpDll;
            var store = new TaskScenario.Store(parse.GetValue(tasksProvider)!, parse.GetValue(tasksConnectionString));
            return await new TaskScenario(dll, parse.GetValue(tasksConnections), parse.GetValue(tasksSeconds), store, Console.Out).RunAsync().ConfigureAwait(false);
        });
        root.Subcommands.Add(tasks);

        var largeBytes = new Option<int>("--text-bytes") { DefaultValueFactory = _ => 256 * 1024, Description = "Size of each call's echo text." };
        var largeCalls = new Option<int>("--calls") { DefaultValueFactory = _ => 100, Description = "Measured calls, one at a time, after 20 unmeasured." };
        var largeCall = new Command("large-calls", "Large-object-heap bytes per large echo call over WebSocket, by type, and gen2 collections, from the server's own GC events.")
        {
            largeBytes, largeCalls, pmcpDll,
        };
        largeCall.SetAction(parse =>
        {
            var dll = parse.GetValue(pmcpDll) is { } p ? Path.GetFullPath(p) : Harness.Servers.DefaultPmcpDll;
            return new LargeCallScenario(dll, parse.GetValue(largeBytes), parse.GetValue(largeCalls), Console.Out).RunAsync();
        });
        root.Subcommands.Add(largeCall);

        var allocServers = new Option<string>("--servers")
        {
            Description = "Servers to measure, one after the other: ws, http (2025 sessions), http-2026, baseline, actor-hop-baseline, http-baseline, http-baseline-2026, sdk-stateful, sdk-stateless.",
            DefaultValueFactory = _ => "ws,http,http-2026",
        };
        var allocConnections = new Option<int>("--connections") { DefaultValueFactory = _ => 16 };
        var allocInFlight = new Option<int>("--inflight") { DefaultValueFactory = _ => 4 };
        var allocSeconds = new Option<double>("--seconds") { DefaultValueFactory = _ => 10, Description = "Seconds watched, after a warm-up of the same load." };
        var allocTop = new Option<int>("--top") { DefaultValueFactory = _ => 15, Description = "Types listed per server." };
        var allocations = new Command("allocations", "Bytes allocated per answered call, by type, and collections per 1,000 calls, from each server's own GC events, at a load shape.")
        {
            allocServers, allocConnections, allocInFlight, allocSeconds, allocTop, pmcpDll,
        };
        allocations.SetAction(parse =>
        {
            var kinds = parse.GetValue(allocServers)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(name => name switch
            {
                "ws" => ServerKind.Pmcp,
                "http" => ServerKind.PmcpHttp,
                "http-2026" => ServerKind.PmcpHttpStateless,
                "baseline" => ServerKind.Baseline,
                "actor-hop-baseline" => ServerKind.ActorHopBaseline,
                "http-baseline" => ServerKind.HttpBaseline,
                "http-baseline-2026" => ServerKind.HttpBaselineStateless,
                "sdk-stateful" => ServerKind.SdkStateful,
                "sdk-stateless" => ServerKind.SdkStateless,
                _ => throw new ArgumentException($"unknown server '{name}'"),
            }).ToArray();
            var settings = new HarnessSettings { PmcpDll = parse.GetValue(pmcpDll) is { } p ? Path.GetFullPath(p) : null };
            return new AllocationScenario(settings, kinds, parse.GetValue(allocConnections), parse.GetValue(allocInFlight), parse.GetValue(allocSeconds),
                parse.GetValue(allocTop), Console.Out).RunAsync();
        });
        root.Subcommands.Add(allocations);

        var soakMinutes = new Option<double>("--minutes") { DefaultValueFactory = _ => 10, Description = "Minutes of mixed load after the warm-up." };
        var soakConnections = new Option<int>("--connections") { DefaultValueFactory = _ => 50, Description = "Connections kept churning." };
        var soakWarmup = new Option<double>("--warmup") { DefaultValueFactory = _ => 20, Description = "Seconds of the same load before the RSS baseline." };
        var soakOut = new Option<string?>("--out") { Description = "Markdown file for the figures (default: the repository's docs/soak.md; - for none)." };
        var soak = new Command("soak", "Minutes of mixed load (connects, disconnects, calls, cancellations, slow and timing-out tools) against the server " +
                                       "hosted in this process; prints calls, responses, errors by kind, lost, RSS start/peak/end and live actors.")
        {
            soakMinutes, soakConnections, soakWarmup, soakOut,
        };
        soak.SetAction(parse =>
        {
            var file = parse.GetValue(soakOut) ?? Path.Combine(RepoRoot(), "docs", "soak.md");
            return Soak.SoakRunner.RunAsync(parse.GetValue(soakMinutes), parse.GetValue(soakConnections), parse.GetValue(soakWarmup), file == "-" ? null : Path.GetFullPath(file));
        });
        root.Subcommands.Add(soak);

        var soakSeconds = new Option<double>("--seconds") { DefaultValueFactory = _ => 60 };
        var soakLoad = new Command("soak-load", "The soak's mixed load: N churning connections for T seconds; prints its counts as one JSON line.")
        {
            url, soakConnections, soakSeconds,
        };
        soakLoad.SetAction((parse, ct) => Soak.SoakLoad.RunAsync(parse.GetValue(url)!, parse.GetValue(soakConnections), TimeSpan.FromSeconds(parse.GetValue(soakSeconds)), ct));
        root.Subcommands.Add(soakLoad);

        var host = new Option<string>("--host") { DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { DefaultValueFactory = _ => 0 };
        var baseline = new Command("serve-baseline", "The thin baseline: Kestrel WebSocket, no actors; prints 'listening on ws://HOST:PORT/mcp'.") { host, port };
        baseline.SetAction(parse => BaselineServer.RunAsync(parse.GetValue(host)!, parse.GetValue(port)));
        root.Subcommands.Add(baseline);

        var httpBaseline = new Command("serve-http-baseline", "The thin HTTP baseline: a Kestrel minimal-API POST endpoint, plain JSON answers, no actors; prints 'listening on http://HOST:PORT/mcp'.") { host, port };
        httpBaseline.SetAction(parse => HttpBaselineServer.RunAsync(parse.GetValue(host)!, parse.GetValue(port)));
        root.Subcommands.Add(httpBaseline);

        var actorHopBaseline = new Command("serve-actor-hop-baseline", "The thin baseline with one actor hop per message: each answered by an actor of its connection; prints 'listening on ws://HOST:PORT/mcp'.") { host, port };
        actorHopBaseline.SetAction(parse => ActorHopBaselineServer.RunAsync(parse.GetValue(host)!, parse.GetValue(port)));
        root.Subcommands.Add(actorHopBaseline);

        var stateful = new Option<bool>("--stateful") { Description = "Sessions with Mcp-Session-Id (the SDK's default is stateless)." };
        var sdk = new Command("serve-sdk", "The official C# SDK, Streamable HTTP, echo tool; prints 'listening on http://HOST:PORT/mcp'.") { host, port, stateful };
        sdk.SetAction(parse => SdkServer.RunAsync(parse.GetValue(host)!, parse.GetValue(port), parse.GetValue(stateful)));
        root.Subcommands.Add(sdk);

        return root;
    }

    private static HarnessSettings Settings(ParseResult parse, Option<bool> quick, Option<string?> outDir, Option<bool> sdkStateful, Option<string> gc,
        Option<string?> pmcpDll, Option<string?> compareDll, Option<string?> compareLabel, Option<string>? tables)
    {
        var transport = tables is null ? "ws" : parse.GetValue(tables);
        var dir = parse.GetValue(outDir) ?? Path.Combine(RepoRoot(), "docs");
        var settings = parse.GetValue(quick) ? HarnessSettings.QuickSettings(dir) : new HarnessSettings { OutDir = dir };
        if (parse.GetValue(compareLabel) is { } label) Harness.Servers.CompareLabel = label;
        return settings with
        {
            SdkStateful = parse.GetValue(sdkStateful),
            ServerGc = parse.GetValue(gc) switch { "server" => true, "workstation" => false, _ => null },
            PmcpDll = parse.GetValue(pmcpDll) is { } p ? Path.GetFullPath(p) : null,
            CompareDll = parse.GetValue(compareDll) is { } c ? Path.GetFullPath(c) : null,
            WebSocket = transport != "http",
            Http = transport != "ws",
        };
    }

    private static string RepoRoot() =>
        typeof(Program).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "RepoRoot")?.Value
        ?? Directory.GetCurrentDirectory();

    private static string CommandLine(IEnumerable<string> args) =>
        "dotnet run -c Release --project tests/Pmcp.Actors.Benchmarks -- all" + string.Concat(args.Select(a => " " + a));
}
