using Pmcp.Actors.Benchmarks.Load;

namespace Pmcp.Actors.Benchmarks.Harness;

/// <summary>A server under test, and the transport (and protocol era) it is measured over.</summary>
internal enum ServerKind
{
    /// <summary>Pmcp.Actors over WebSocket.</summary>
    Pmcp,

    /// <summary>The thin WebSocket baseline.</summary>
    Baseline,

    /// <summary>The C# SDK in the WebSocket table: Streamable HTTP, stateless unless <c>--sdk-stateful</c>.</summary>
    Sdk,

    /// <summary>Another build of the Pmcp.Actors server (<c>--compare-dll</c>), e.g. before a change, run beside the others.</summary>
    PmcpCompare,

    /// <summary>Pmcp.Actors over Streamable HTTP in 2025-era sessions (initialize, Mcp-Session-Id).</summary>
    PmcpHttp,

    /// <summary>
    /// Pmcp.Actors over Streamable HTTP with 2026-07-28 stateless requests. Measured only once a probe call in that era is
    /// answered; until the server speaks it, the row says not measured and why.
    /// </summary>
    PmcpHttpStateless,

    /// <summary>The thin HTTP baseline (<see cref="Servers.HttpBaselineServer"/>).</summary>
    HttpBaseline,

    /// <summary>
    /// The same thin HTTP baseline sent 2026-07-28 stateless requests: it checks their headers against the body and
    /// reads their <c>_meta</c>, and nothing else. What that revision's own per-request work costs at the near-limit, so
    /// that ours in that era has a ceiling measured beside it.
    /// </summary>
    HttpBaselineStateless,

    /// <summary>The C# SDK over Streamable HTTP, stateful (Mcp-Session-Id).</summary>
    SdkStateful,

    /// <summary>The C# SDK over Streamable HTTP, stateless (its default).</summary>
    SdkStateless,

    /// <summary>The <c>--compare-dll</c> build over Streamable HTTP in 2025-era sessions.</summary>
    PmcpCompareHttp,

    /// <summary>The thin WebSocket baseline with one actor hop per message (<see cref="Servers.ActorHopBaselineServer"/>), with <c>--actor-hop-baseline</c>.</summary>
    ActorHopBaseline,
}

/// <summary>
/// One table of the report: the servers measured together (started together, alternated), the one the ratios are taken
/// against, and the ratio columns.
/// </summary>
internal sealed record Suite(string Name, ServerKind[] Kinds, ServerKind Baseline, (string Header, ServerKind Kind)[] Ratios);

/// <summary>Starts the servers under test, each a child process, all with the same GC mode.</summary>
internal static class Servers
{
    /// <summary>The WebSocket table: ours and the thin WebSocket baseline, with the SDK (over HTTP) as the peer.</summary>
    public static Suite WebSocket(HarnessSettings settings) => new("WebSocket",
        [
            ServerKind.Pmcp, ServerKind.Baseline, ServerKind.Sdk,
            .. settings.CompareDll is null ? Array.Empty<ServerKind>() : [ServerKind.PmcpCompare],
            .. settings.ActorHopBaseline ? [ServerKind.ActorHopBaseline] : Array.Empty<ServerKind>(),
        ],
        ServerKind.Baseline, [("× baseline", ServerKind.Baseline), ("× SDK", ServerKind.Sdk)]);

    /// <summary>The Streamable HTTP table: ours in both eras, the thin HTTP baseline in both eras, and the SDK in both of its modes.</summary>
    public static Suite Http(HarnessSettings settings) => new("Streamable HTTP",
        settings.CompareDll is null
            ? [ServerKind.PmcpHttp, ServerKind.PmcpHttpStateless, ServerKind.HttpBaseline, ServerKind.HttpBaselineStateless, ServerKind.SdkStateful, ServerKind.SdkStateless]
            : [ServerKind.PmcpHttp, ServerKind.PmcpHttpStateless, ServerKind.HttpBaseline, ServerKind.HttpBaselineStateless, ServerKind.SdkStateful, ServerKind.SdkStateless,
                ServerKind.PmcpCompareHttp],
        ServerKind.HttpBaseline,
        [("× HTTP baseline", ServerKind.HttpBaseline), ("× SDK stateful", ServerKind.SdkStateful), ("× SDK stateless", ServerKind.SdkStateless)]);

    /// <summary>The servers whose RSS per idle session is measured over HTTP (the SDK's stateless mode and the 2026 era hold no sessions).</summary>
    public static ServerKind[] HttpMemory(HarnessSettings settings) => settings.CompareDll is null
        ? [ServerKind.PmcpHttp, ServerKind.HttpBaseline, ServerKind.SdkStateful]
        : [ServerKind.PmcpHttp, ServerKind.HttpBaseline, ServerKind.SdkStateful, ServerKind.PmcpCompareHttp];

    public static string CompareLabel { get; set; } = "Pmcp.Actors (compare)";

    public static string Label(ServerKind kind) => kind switch
    {
        ServerKind.Pmcp => "Pmcp.Actors",
        ServerKind.Baseline => "thin baseline",
        ServerKind.PmcpCompare => CompareLabel,
        ServerKind.PmcpHttp => "Pmcp.Actors, 2025 sessions",
        ServerKind.PmcpHttpStateless => "Pmcp.Actors, 2026-07-28 stateless",
        ServerKind.HttpBaseline => "thin HTTP baseline",
        ServerKind.HttpBaselineStateless => "thin HTTP baseline, 2026-07-28 stateless",
        ServerKind.SdkStateful => "C# SDK stateful",
        ServerKind.SdkStateless => "C# SDK stateless",
        ServerKind.PmcpCompareHttp => CompareLabel + ", 2025 sessions",
        ServerKind.ActorHopBaseline => "thin baseline + actor hop",
        _ => "C# SDK",
    };

    /// <summary>Ours (either build, either transport): the rows the report sets in bold.</summary>
    public static bool IsOurs(ServerKind kind) => kind is ServerKind.Pmcp or ServerKind.PmcpHttp or ServerKind.PmcpHttpStateless;

    public static string Transport(ServerKind kind) => kind is ServerKind.Pmcp or ServerKind.Baseline or ServerKind.PmcpCompare or ServerKind.ActorHopBaseline ? "ws" : "http";

    /// <summary>The protocol revision the HTTP load generator speaks to this server.</summary>
    public static string Era(ServerKind kind) =>
        kind is ServerKind.PmcpHttpStateless or ServerKind.HttpBaselineStateless ? McpFrames.StatelessProtocolVersion : McpFrames.ProtocolVersion;

    public static string SelfDll => typeof(Servers).Assembly.Location;

    public static string DefaultPmcpDll => Path.Combine(AppContext.BaseDirectory, "Pmcp.Actors.Server.dll");

    /// <summary>
    /// Each server runs with the GC its own runtime configuration gives it (null): workstation GC for all of them, since
    /// Pmcp.Actors.Server ships with it and the baselines and the SDK server run in this harness, a console app (not
    /// Sdk.Web, whose default is Server GC); or all with the one forced by --gc server / --gc workstation.
    /// </summary>
    public static Dictionary<string, string> ServerEnvironment(bool? serverGc)
    {
        var env = new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production" };
        if (serverGc is { } server) env["DOTNET_gcServer"] = server ? "1" : "0";
        return env;
    }

    public static async Task<(ChildProcess Process, Uri Url)> StartAsync(ServerKind kind, HarnessSettings settings)
    {
        var env = ServerEnvironment(settings.ServerGc);
        // The standalone server as shipped, logging at Warning (the others log nothing) and room for the scale test;
        // it serves WebSocket and Streamable HTTP on the same path and prints a 'listening on' line for each. The load
        // generator is one client (loopback), so the per-client limits, which would stop it at 500 sessions and 300
        // session starts a minute, are off.
        // Tasks are on as shipped, each server with a store folder of its own.
        var store = ChildProcess.NewStoreFolder();
        string[] pmcpArgs = ["--port", "0", "--Logging:LogLevel:Default=Warning", "--Pmcp:Server:MaxConnections=20000",
            "--Pmcp:Server:MaxConnectionsPerClient=0", "--Pmcp:Server:MaxUpgradesPerWindow=0", "--Pmcp:Telemetry:MetricsPort=0", "--Pmcp:Tasks:DataFolder=" + store];
        var child = kind switch
        {
            ServerKind.Pmcp or ServerKind.PmcpHttp => ChildProcess.Start("pmcp-server", settings.PmcpDll ?? DefaultPmcpDll, pmcpArgs, env),
            // The 2026-07-28 era is served only when switched on (McpServerOptions.ServeStatelessEra).
            ServerKind.PmcpHttpStateless => ChildProcess.Start("pmcp-server", settings.PmcpDll ?? DefaultPmcpDll, [.. pmcpArgs, "--Pmcp:Server:ServeStatelessEra=true"], env),
            ServerKind.PmcpCompare or ServerKind.PmcpCompareHttp => ChildProcess.Start("pmcp-compare-server", settings.CompareDll!, pmcpArgs, env),
            ServerKind.Baseline => ChildProcess.Start("baseline-server", SelfDll, ["serve-baseline", "--port", "0"], env),
            ServerKind.HttpBaseline or ServerKind.HttpBaselineStateless => ChildProcess.Start("http-baseline-server", SelfDll, ["serve-http-baseline", "--port", "0"], env),
            ServerKind.ActorHopBaseline => ChildProcess.Start("actor-hop-baseline-server", SelfDll, ["serve-actor-hop-baseline", "--port", "0"], env),
            ServerKind.SdkStateful => ChildProcess.Start("sdk-stateful-server", SelfDll, ["serve-sdk", "--port", "0", "--stateful"], env),
            ServerKind.SdkStateless => ChildProcess.Start("sdk-stateless-server", SelfDll, ["serve-sdk", "--port", "0"], env),
            _ => ChildProcess.Start("sdk-server", SelfDll, settings.SdkStateful ? ["serve-sdk", "--port", "0", "--stateful"] : ["serve-sdk", "--port", "0"], env),
        };
        if (kind is ServerKind.Pmcp or ServerKind.PmcpHttp or ServerKind.PmcpHttpStateless or ServerKind.PmcpCompare or ServerKind.PmcpCompareHttp) child.OwnFolder = store;
        try
        {
            var url = await child.WaitForListeningAsync(TimeSpan.FromSeconds(60), Transport(kind)).ConfigureAwait(false);
            return (child, url);
        }
        catch
        {
            await child.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Load generators run with workstation GC so that they leave the server as much of the two cores as they can.</summary>
    public static ChildProcess StartLoadGenerator(string name, IEnumerable<string> args) =>
        ChildProcess.Start(name, SelfDll, args, new Dictionary<string, string> { ["DOTNET_gcServer"] = "0" });

    /// <summary>
    /// Runs one <c>loadgen</c> child with <paramref name="options"/> to its end and reads back its one JSON line;
    /// <paramref name="seconds"/>: how long it loads, warm-up included (it is given two minutes more).
    /// </summary>
    public static async Task<LoadResult> RunLoadAsync(IEnumerable<string> options, double seconds)
    {
        await using var loadgen = StartLoadGenerator("loadgen", ["loadgen", .. options]);
        var line = await loadgen.WaitForJsonAsync(TimeSpan.FromSeconds(seconds + 120)).ConfigureAwait(false);
        await loadgen.WaitForExitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        return LoadResult.FromJson(line) ?? throw new InvalidOperationException("unreadable load generator output: " + line);
    }
}
