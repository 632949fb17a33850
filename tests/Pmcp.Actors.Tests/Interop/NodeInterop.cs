using System.Diagnostics;
using System.Text;
using Pmcp.Actors.Tests.Support;

namespace Pmcp.Actors.Tests.Interop;

/// <summary>
/// Runs the Node side of the interop tests (tests/interop): installs its npm packages once per
/// process and runs its scripts with the Node 22 binary that the npm package <c>node</c> ships
/// (system Node may be older and lack the global WebSocket the MCP SDK's transport needs).
/// </summary>
internal static class NodeInterop
{
    private static readonly NodeProject Project = new("tests", "interop");

    public static string InteropDirectory => Project.Directory;

    public static string NodeExecutable => Project.NodeExecutable;

    public static Task EnsureInstalledAsync() => Project.EnsureInstalledAsync();

    public static Task<(int ExitCode, string StdOut, string StdErr)> RunScriptAsync(string script, IReadOnlyList<string> args, TimeSpan timeout) =>
        Project.RunScriptAsync(script, args, timeout);
}

/// <summary>
/// An npm project of the repository (a folder with package.json and package-lock.json that pins the npm package
/// <c>node</c>): installs its packages once per process with <c>npm ci</c> and runs its scripts with that Node binary.
/// </summary>
internal sealed class NodeProject(params string[] relativePath)
{
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan DrainAfterKillTimeout = TimeSpan.FromSeconds(5);

    private readonly Lazy<string> _directory = new(() => RepoPaths.Combine(relativePath));
    private readonly SemaphoreSlim _installLock = new(1, 1);
    private volatile bool _installed;

    /// <summary>The project's folder in the repository this test assembly was built from (<see cref="RepoPaths"/>).</summary>
    public string Directory => _directory.Value;

    private string InteropDirectory => Directory;

    /// <summary>The Node 22 binary that <c>npm ci</c> puts under node_modules.</summary>
    public string NodeExecutable =>
        Path.Combine(InteropDirectory, "node_modules", "node", "bin", OperatingSystem.IsWindows() ? "node.exe" : "node");

    /// <summary>
    /// Runs <c>npm ci</c> in <see cref="InteropDirectory"/> unless the Node 22 binary is there and
    /// node_modules is at least as new as package-lock.json. Does its work at most once per process
    /// (a failed attempt is retried by the next caller).
    /// </summary>
    public async Task EnsureInstalledAsync()
    {
        if (_installed)
        {
            return;
        }

        await _installLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_installed)
            {
                return;
            }

            if (NeedsInstall())
            {
                var (exitCode, stdOut, stdErr) = await RunNpmAsync(["ci", "--no-audit", "--no-fund"], InstallTimeout)
                    .ConfigureAwait(false);
                if (exitCode != 0)
                {
                    throw new InvalidOperationException(
                        $"'npm ci' in {InteropDirectory} failed with exit code {exitCode}.{FormatOutput(stdOut, stdErr)}");
                }

                if (!File.Exists(NodeExecutable))
                {
                    throw new InvalidOperationException(
                        $"'npm ci' in {InteropDirectory} succeeded but {NodeExecutable} is missing " +
                        $"(was the 'node' package's preinstall script skipped?).{FormatOutput(stdOut, stdErr)}");
                }
            }

            _installed = true;
        }
        finally
        {
            _installLock.Release();
        }
    }

    /// <summary>
    /// Runs <paramref name="script"/> (relative to <see cref="InteropDirectory"/>) with the Node 22
    /// binary, after <see cref="EnsureInstalledAsync"/>. Throws <see cref="TimeoutException"/>, after
    /// killing the process tree, if it has not finished within <paramref name="timeout"/>.
    /// </summary>
    public async Task<(int ExitCode, string StdOut, string StdErr)> RunScriptAsync(
        string script, IReadOnlyList<string> args, TimeSpan timeout)
    {
        ArgumentException.ThrowIfNullOrEmpty(script);
        ArgumentNullException.ThrowIfNull(args);

        await EnsureInstalledAsync().ConfigureAwait(false);

        var scriptPath = Path.Combine(InteropDirectory, script);
        if (!File.Exists(scriptPath))
        {
            throw new FileNotFoundException($"Interop script not found: {scriptPath}", scriptPath);
        }

        return await RunProcessAsync(NodeExecutable, [scriptPath, .. args], InteropDirectory, timeout)
            .ConfigureAwait(false);
    }

    private bool NeedsInstall()
    {
        if (!File.Exists(NodeExecutable))
        {
            return true;
        }

        var lockFile = Path.Combine(InteropDirectory, "package-lock.json");
        var nodeModules = Path.Combine(InteropDirectory, "node_modules");

        // npm rewrites node_modules/.package-lock.json on every install; the folder's own time
        // only changes when entries are added or removed.
        var hiddenLockFile = Path.Combine(nodeModules, ".package-lock.json");
        var installedAt = File.Exists(hiddenLockFile)
            ? File.GetLastWriteTimeUtc(hiddenLockFile)
            : System.IO.Directory.GetLastWriteTimeUtc(nodeModules);

        return installedAt < File.GetLastWriteTimeUtc(lockFile);
    }

    private Task<(int ExitCode, string StdOut, string StdErr)> RunNpmAsync(
        IReadOnlyList<string> npmArgs, TimeSpan timeout) =>
        OperatingSystem.IsWindows()
            ? RunProcessAsync("cmd.exe", ["/d", "/c", "npm", .. npmArgs], InteropDirectory, timeout)
            : RunProcessAsync("npm", npmArgs, InteropDirectory, timeout);

    private static async Task<(int ExitCode, string StdOut, string StdErr)> RunProcessAsync(
        string fileName, IReadOnlyList<string> args, string workingDirectory, TimeSpan timeout)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            CreateNoWindow = true,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        var commandLine = string.Join(' ', [fileName, .. args]);
        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException($"Could not start '{commandLine}' in {workingDirectory}: {ex.Message}", ex);
        }

        // Nothing is ever typed in: close stdin so nothing can wait for it.
        process.StandardInput.Close();

        var stdOut = new StringBuilder();
        var stdErr = new StringBuilder();
        var pumps = Task.WhenAll(
            PumpAsync(process.StandardOutput, stdOut),
            PumpAsync(process.StandardError, stdErr));

        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            await pumps.WaitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            KillTree(process);
            try
            {
                await pumps.WaitAsync(DrainAfterKillTimeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Something outside the tree still holds the pipes; report what was read so far.
            }

            throw new TimeoutException(
                $"'{commandLine}' did not finish within {timeout.TotalSeconds:0.###} s and was killed." +
                FormatOutput(Snapshot(stdOut), Snapshot(stdErr)));
        }
        finally
        {
            KillTree(process);
        }

        return (process.ExitCode, Snapshot(stdOut), Snapshot(stdErr));
    }

    private static async Task PumpAsync(StreamReader reader, StringBuilder sink)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer.AsMemory()).ConfigureAwait(false)) > 0)
        {
            lock (sink)
            {
                sink.Append(buffer, 0, read);
            }
        }
    }

    private static string Snapshot(StringBuilder sink)
    {
        lock (sink)
        {
            return sink.ToString();
        }
    }

    private static void KillTree(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Exiting while we tried to kill it.
        }
    }

    private static string FormatOutput(string stdOut, string stdErr) =>
        $"{Environment.NewLine}--- stdout ---{Environment.NewLine}{stdOut.TrimEnd()}" +
        $"{Environment.NewLine}--- stderr ---{Environment.NewLine}{stdErr.TrimEnd()}";
}
