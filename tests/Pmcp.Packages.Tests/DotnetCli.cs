using System.Diagnostics;
using System.Text;

namespace Pmcp.Packages.Tests;

/// <summary>
/// Runs the <c>dotnet</c> command as a user at a shell would: without the MSBuild variables that <c>dotnet test</c> puts
/// into this process's environment (they would point a nested build at this run's SDK state), with a deadline.
/// </summary>
internal static class DotnetCli
{
    public sealed record Result(int ExitCode, string Output)
    {
        public void AssertSucceeded(string what) =>
            Assert.True(ExitCode == 0, $"{what} failed with exit code {ExitCode}:\n{Output}");
    }

    public static async Task<Result> RunAsync(string workingDirectory, TimeSpan timeout, params string[] args)
    {
        using var process = new Process { StartInfo = StartInfo(workingDirectory, args) };
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', args)} did not finish within {timeout}:\n{Snapshot(output)}");
        }

        process.WaitForExit(); // drains the output handlers
        return new Result(process.ExitCode, Snapshot(output));
    }

    public static ProcessStartInfo StartInfo(string workingDirectory, IEnumerable<string> args)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args) startInfo.ArgumentList.Add(arg);
        foreach (var name in startInfo.Environment.Keys.Where(IsBuildStateVariable).ToList()) startInfo.Environment.Remove(name);
        startInfo.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        startInfo.Environment["DOTNET_NOLOGO"] = "1";
        return startInfo;
    }

    private static bool IsBuildStateVariable(string name) =>
        name.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)
        || name.Equals("DOTNET_HOST_PATH", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase);

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null) return;
        lock (output) output.AppendLine(line);
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output) return output.ToString();
    }
}
