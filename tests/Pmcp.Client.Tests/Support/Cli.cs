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
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Dll.Value);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment.Remove("PMCP_URL");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the CLI.");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().Within($"pmcp {string.Join(' ', args)} to exit", TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return new CliResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    public static Task<CliResult> RunAsync(params string[] args) => RunAsync(null, args);
}
