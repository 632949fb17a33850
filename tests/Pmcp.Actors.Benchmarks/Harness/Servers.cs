namespace Pmcp.Actors.Benchmarks.Harness;

internal enum ServerKind
{
    Pmcp,
    Baseline,
    Sdk,

    /// <summary>Another build of the Pmcp.Actors server (<c>--compare-dll</c>), e.g. before a change, run beside the others.</summary>
    PmcpCompare,
}

/// <summary>Starts the three servers under test, each a child process, all with the same GC mode.</summary>
internal static class Servers
{
    public static readonly ServerKind[] All = [ServerKind.Pmcp, ServerKind.Baseline, ServerKind.Sdk];

    /// <summary>The servers of this run: the three, and the comparison build when there is one.</summary>
    public static ServerKind[] For(HarnessSettings settings) => settings.CompareDll is null ? All : [.. All, ServerKind.PmcpCompare];

    public static string CompareLabel { get; set; } = "Pmcp.Actors (compare)";

    public static string Label(ServerKind kind) => kind switch
    {
        ServerKind.Pmcp => "Pmcp.Actors",
        ServerKind.Baseline => "thin baseline",
        ServerKind.PmcpCompare => CompareLabel,
        _ => "C# SDK",
    };

    public static string Transport(ServerKind kind) => kind == ServerKind.Sdk ? "http" : "ws";

    public static string SelfDll => typeof(Servers).Assembly.Location;

    public static string DefaultPmcpDll => Path.Combine(AppContext.BaseDirectory, "Pmcp.Actors.Server.dll");

    /// <summary>
    /// Each server runs with the GC it ships with (null: Pmcp.Actors.Server workstation GC, the baseline and the SDK
    /// server Sdk.Web's Server GC), or all with the one forced by --gc server / --gc workstation.
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
        var child = kind switch
        {
            // The standalone server as shipped, logging at Warning (the other two log nothing) and room for the scale test.
            ServerKind.Pmcp or ServerKind.PmcpCompare => ChildProcess.Start(kind == ServerKind.Pmcp ? "pmcp-server" : "pmcp-compare-server",
                kind == ServerKind.Pmcp ? settings.PmcpDll ?? DefaultPmcpDll : settings.CompareDll!,
                ["--port", "0", "--Logging:LogLevel:Default=Warning", "--Pmcp:Server:MaxConnections=20000"], env),
            ServerKind.Baseline => ChildProcess.Start("baseline-server", SelfDll, ["serve-baseline", "--port", "0"], env),
            _ => ChildProcess.Start("sdk-server", SelfDll, settings.SdkStateful ? ["serve-sdk", "--port", "0", "--stateful"] : ["serve-sdk", "--port", "0"], env),
        };
        try
        {
            var url = await child.WaitForListeningAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
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
}
