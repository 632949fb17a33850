using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Pmcp.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Harness;

/// <summary>
/// A smoke run of the benchmark harness's Streamable HTTP side (tests/Pmcp.Actors.Benchmarks, issue 29): each HTTP server
/// it measures is started as the harness starts it, and the harness's own load generator runs against it for a second,
/// one call in flight. The full benchmark is never run in the suite; this checks that every server of the HTTP table
/// still starts, answers the load generator's calls, and answers them right (the load generator counts a wrong echo as an error).
/// </summary>
public sealed class BenchmarkHarnessHttpSmokeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan LoadTimeout = TimeSpan.FromSeconds(90);

    private static string BenchmarksDll
    {
        get
        {
            var path = typeof(BenchmarkHarnessHttpSmokeTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .FirstOrDefault(a => a.Key == "BenchmarksDll")?.Value;
            Assert.False(string.IsNullOrEmpty(path), "the test assembly has no BenchmarksDll metadata (see Pmcp.Actors.Tests.csproj)");
            Assert.True(File.Exists(path), $"missing {path}");
            return path!;
        }
    }

    [Theory]
    [InlineData("pmcp", "2025-11-25")]
    [InlineData("http-baseline", "2025-11-25")]
    [InlineData("sdk-stateful", "2025-11-25")]
    [InlineData("sdk-stateless", "2025-11-25")]
    // The era of the harness's 2026-07-28 rows: the SDK's answers show its requests are well formed, ours is measured in it.
    [InlineData("sdk-stateless", "2026-07-28")]
    [InlineData("pmcp-stateless-era", "2026-07-28")]
    public async Task HttpLoadGenerator_GetsRightAnswers_FromEachServerOfTheHttpTable(string server, string era)
    {
        using var process = server switch
        {
            "pmcp" => new DotnetProcess(Path.Combine(AppContext.BaseDirectory, "Pmcp.Actors.Server.dll"), ["--port", "0", "--Pmcp:Telemetry:MetricsPort=0"]),
            // As the harness starts it for its 2026-07-28 row.
            "pmcp-stateless-era" => new DotnetProcess(Path.Combine(AppContext.BaseDirectory, "Pmcp.Actors.Server.dll"),
                ["--port", "0", "--Pmcp:Telemetry:MetricsPort=0", "--Pmcp:Server:ServeStatelessEra=true"]),
            "http-baseline" => new DotnetProcess(BenchmarksDll, ["serve-http-baseline", "--port", "0"]),
            "sdk-stateful" => new DotnetProcess(BenchmarksDll, ["serve-sdk", "--port", "0", "--stateful"]),
            _ => new DotnetProcess(BenchmarksDll, ["serve-sdk", "--port", "0"]),
        };
        DotnetProcess? loadgen = null;
        try
        {
            var listening = await process.WaitForLineAsync(l => l.StartsWith("listening on http://", StringComparison.Ordinal))
                .Within(StartTimeout, $"{server}'s 'listening on http://' line");
            var url = listening["listening on ".Length..].Trim();

            loadgen = new DotnetProcess(BenchmarksDll,
                ["loadgen", "--url", url, "--transport", "http", "--era", era, "--connections", "1", "--inflight", "1", "--seconds", "1", "--warmup", "0"]);
            var line = await loadgen.WaitForLineAsync(l => l.StartsWith('{')).Within(LoadTimeout, "the load generator's JSON line");
            using var result = JsonDocument.Parse(line);
            var root = result.RootElement;
            Assert.False(root.TryGetProperty("failure", out var failure), $"the load generator failed: {failure}");
            // Calls answered over the whole run: a cold server's first answer may come after the one-second window.
            Assert.True(root.GetProperty("totalCalls").GetInt64() > 0, $"no call was answered: {line}");
            Assert.Equal(0, root.GetProperty("errors").GetInt64());
        }
        finally
        {
            if (loadgen is not null)
            {
                output.WriteLine(loadgen.Output);
                loadgen.Dispose();
            }
            output.WriteLine(process.Output);
        }
    }

    /// <summary><c>dotnet DLL ARGS</c> with its standard output as lines; killed (with its children) when disposed.</summary>
    private sealed class DotnetProcess : IDisposable
    {
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
}
