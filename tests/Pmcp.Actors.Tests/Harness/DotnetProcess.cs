using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Threading.Channels;

namespace Pmcp.Actors.Tests.Harness;

/// <summary><c>dotnet DLL ARGS</c> with its standard output as lines; killed (with its children) when disposed.</summary>
internal sealed class DotnetProcess : IDisposable
{
    /// <summary>The benchmark harness built beside the tests (the assembly's <c>BenchmarksDll</c> metadata).</summary>
    public static string BenchmarksDll
    {
        get
        {
            var path = typeof(DotnetProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .FirstOrDefault(a => a.Key == "BenchmarksDll")?.Value;
            Assert.False(string.IsNullOrEmpty(path), "the test assembly has no BenchmarksDll metadata (see Pmcp.Actors.Tests.csproj)");
            Assert.True(File.Exists(path), $"missing {path}");
            return path!;
        }
    }

    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _output = new();

    public DotnetProcess(string dll, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        _process = new Process { StartInfo = info };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data, toChannel: true);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data, toChannel: false);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    private void OnLine(string? line, bool toChannel)
    {
        if (line is null)
        {
            if (toChannel) _lines.Writer.TryComplete();
            return;
        }
        lock (_output) _output.AppendLine(line);
        if (toChannel) _lines.Writer.TryWrite(line);
    }

    /// <summary>The first standard-output line <paramref name="match"/> accepts; fails if the process ends first.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match)
    {
        await foreach (var line in _lines.Reader.ReadAllAsync())
        {
            if (match(line)) return line;
        }
        throw new InvalidOperationException("the process ended before the expected line. Output:" + Environment.NewLine + Output);
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }
}
