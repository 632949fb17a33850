using System.Diagnostics;
using System.Reflection;

namespace Pmcp.Client.Tests.Support;

/// <summary>What a run of the pmcp command printed and how it exited.</summary>
internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>
/// Runs the built CLI as its own process, <c>dotnet pmcp.dll ARGS</c>, from the CLI project's own output folder
/// (recorded at build time as the <c>PmcpCliDll</c> assembly metadata; see the test project).
/// </summary>
internal static class Cli
{
    private static readonly Lazy<string> Dll = new(() =>
    {
        var path = typeof(Cli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == "PmcpCliDll")?.Value;
        if (string.IsNullOrEmpty(path) || !File.Exists(path))
            throw new FileNotFoundException($"pmcp.dll not found at '{path}' (the PmcpCliDll metadata of the test assembly).");
        return path;
    });

    public static async Task<CliResult> RunAsync(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        using var running = Start(environment, args);
        return await running.ExitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
    }

    public static Task<CliResult> RunAsync(params string[] args) => RunAsync(null, args);

    /// <summary>Starts pmcp and returns at once, for a test that acts while it runs (e.g. interrupts it).</summary>
    public static RunningCli Start(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        // Through env --default-signal=INT, as a terminal's shell starts it: a test run started in the background by a
        // shell without job control ignores SIGINT, every child inherits that, and the runtime keeps an ignored SIGINT
        // ignored, so pmcp would never see the Ctrl-C that CliInterruptTests sends it.
        var start = new ProcessStartInfo("env")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--default-signal=INT");
        start.ArgumentList.Add(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet");
        start.ArgumentList.Add(Dll.Value);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment.Remove("PMCP_URL");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the CLI.");
        process.StandardInput.Close();
        return new RunningCli(process, string.Join(' ', args));
    }
}

/// <summary>A pmcp process under way: its output is collected as it comes.</summary>
internal sealed class RunningCli : IDisposable
{
    private readonly Process _process;
    private readonly string _args;
    private readonly Task<string> _stdout;
    private readonly Task<string> _stderr;

    public RunningCli(Process process, string args)
    {
        _process = process;
        _args = args;
        _stdout = process.StandardOutput.ReadToEndAsync();
        _stderr = process.StandardError.ReadToEndAsync();
    }

    /// <summary>Sends SIGINT, as Ctrl-C on a terminal does.</summary>
    public void Interrupt()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", $"-INT {_process.Id}") { UseShellExecute = false })
            ?? throw new InvalidOperationException("Could not run kill.");
        kill.WaitForExit();
    }

    public async Task<CliResult> ExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().Within($"pmcp {_args} to exit", timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _process.Kill(entireProcessTree: true);
            throw;
        }
        return new CliResult(_process.ExitCode, await _stdout.ConfigureAwait(false), await _stderr.ConfigureAwait(false));
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
