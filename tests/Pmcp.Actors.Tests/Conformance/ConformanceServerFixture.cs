using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Pmcp.Actors.Tests.Interop;
using Pmcp.Actors.Tests.Support;

namespace Pmcp.Actors.Tests.Conformance;

/// <summary>
/// The conformance server (tests/Pmcp.Actors.Conformance) run as its own process on a free port, and the npm project
/// tests/conformance (the conformance suite and the Inspector CLI on Node 22), installed once.
/// </summary>
public sealed partial class ConformanceServerFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Process? _process;

    internal static NodeProject Node { get; } = new("tests", "conformance");

    /// <summary>http://127.0.0.1:PORT/mcp</summary>
    public Uri Url { get; private set; } = null!;

    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    public async Task InitializeAsync()
    {
        await Node.EnsureInstalledAsync();

        // The test project references the conformance server, so its build output is copied beside this assembly.
        var dll = Path.Combine(AppContext.BaseDirectory, "Pmcp.Actors.Conformance.dll");
        var startInfo = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var arg in new[] { dll, "--port", "0" }) startInfo.ArgumentList.Add(arg);
        _process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.Exited += (_, _) => _listening.TrySetException(new InvalidOperationException($"The conformance server exited early:\n{Output}"));
        _process.Start();
        _process.StandardInput.Close();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Url = await _listening.Task.Within(StartTimeout, "the conformance server's 'listening on' line");
    }

    public Task DisposeAsync()
    {
        try
        {
            if (_process is { HasExited: false }) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        _process?.Dispose();
        return Task.CompletedTask;
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
        if (ListeningLine().Match(line) is { Success: true } match) _listening.TrySetResult(new Uri(match.Groups[1].Value));
    }

    [GeneratedRegex(@"listening on (http://\S+)")]
    private static partial Regex ListeningLine();
}
