using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using System.Threading.Channels;

namespace Pmcp.Actors.Benchmarks.Harness;

/// <summary>A child process of the harness (a server under test or a load generator): its output as lines, its RSS.</summary>
internal sealed partial class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly Queue<string> _tail = new();

    private ChildProcess(Process process, string name)
    {
        _process = process;
        Name = name;
    }

    public string Name { get; }

    /// <summary>A temp folder of the child's own (a server's task store), deleted once the child has exited.</summary>
    public string? OwnFolder { get; set; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The last lines the child wrote (stdout and stderr), for error messages.</summary>
    public string Tail
    {
        get
        {
            lock (_tail) return string.Join(Environment.NewLine, _tail);
        }
    }

    /// <summary>Runs <c>dotnet DLL ARGS</c> with these extra environment variables.</summary>
    public static ChildProcess Start(string name, string dll, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (k, v) in environment) info.Environment[k] = v;
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(process, name);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data, toChannel: true);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data, toChannel: false);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    private void OnLine(string? line, bool toChannel)
    {
        if (line is null)
        {
            // End of the stream (the child exited), after every line of it was delivered; Exited may come earlier.
            if (toChannel) _lines.Writer.TryComplete();
            return;
        }
        lock (_tail)
        {
            _tail.Enqueue(line);
            while (_tail.Count > 20) _tail.Dequeue();
        }
        if (toChannel) _lines.Writer.TryWrite(line);
    }

    /// <summary>The next stdout line that <paramref name="match"/> accepts; the others are skipped.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await foreach (var line in _lines.Reader.ReadAllAsync(cts.Token).ConfigureAwait(false))
            {
                if (match(line)) return line;
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Name}: no expected output within {timeout.TotalSeconds:0} s. Last output:{Environment.NewLine}{Tail}");
        }
        throw new InvalidOperationException($"{Name} exited ({ExitCodeOrNull()}) before the expected output. Last output:{Environment.NewLine}{Tail}");
    }

    /// <summary>Waits for a JSON line (one that starts with '{').</summary>
    public Task<string> WaitForJsonAsync(TimeSpan timeout) => WaitForLineAsync(l => l.StartsWith('{'), timeout);

    /// <summary>
    /// Waits for <c>listening on URL</c> and returns the URL; with <paramref name="scheme"/> (ws or http), the first such
    /// line with that scheme (Pmcp.Actors.Server prints one for WebSocket and one for Streamable HTTP).
    /// </summary>
    public async Task<Uri> WaitForListeningAsync(TimeSpan timeout, string? scheme = null)
    {
        var line = await WaitForLineAsync(l => ListeningPattern().Match(l) is { Success: true } m && (scheme is null || m.Groups[1].Value.StartsWith(scheme + "://", StringComparison.Ordinal)),
            timeout).ConfigureAwait(false);
        return new Uri(ListeningPattern().Match(line).Groups[1].Value);
    }

    public async Task WriteLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line).ConfigureAwait(false);
        await _process.StandardInput.FlushAsync().ConfigureAwait(false);
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Name} did not exit within {timeout.TotalSeconds:0} s. Last output:{Environment.NewLine}{Tail}");
        }
    }

    /// <summary>Resident set size (VmRSS in /proc/PID/status), in bytes.</summary>
    public long RssBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
        {
            if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
            var kb = line["VmRSS:".Length..].Trim().Split(' ')[0];
            return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
        }
        throw new InvalidOperationException($"no VmRSS for {Name}");
    }

    /// <summary>CPU time (user + system) the child has used so far, in seconds (/proc/PID/stat).</summary>
    public double CpuSeconds()
    {
        var stat = File.ReadAllText($"/proc/{Pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // After "pid (comm) ": state is field 3, utime 14 and stime 15 (1-based), so indexes 11 and 12 here.
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return ticks / (double)ClockTicksPerSecond;
    }

    private const int ClockTicksPerSecond = 100; // USER_HZ on Linux

    /// <summary>Open file descriptors of the child.</summary>
    public int OpenFiles() => Directory.EnumerateFileSystemEntries($"/proc/{Pid}/fd").Count();

    private string ExitCodeOrNull() => _process.HasExited ? "exit code " + _process.ExitCode : "still running";

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                await _process.WaitForExitAsync().ConfigureAwait(false);
            }
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
        if (OwnFolder is not null && Directory.Exists(OwnFolder))
        {
            try
            {
                Directory.Delete(OwnFolder, recursive: true);
            }
            catch (IOException)
            {
                // the temp folder is the system's to clean
            }
        }
    }

    /// <summary>A new temp folder for a server's task store: servers started from one build folder would otherwise share <c>data/tasks.db</c>, which a single-node server holds for itself.</summary>
    public static string NewStoreFolder() => Path.Combine(Path.GetTempPath(), "pmcp-bench-data", Guid.NewGuid().ToString("N"));

    [GeneratedRegex(@"listening on ((?:ws|http)://\S+)")]
    private static partial Regex ListeningPattern();
}
