using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.RegularExpressions;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Loopback;

public sealed partial class ServerProcessTests(ITestOutputHelper output)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task ServerProcess_ServesCallsWithItsAppSettings_AndExitsZeroOnSigterm()
    {
        // The test project references the server project, so its build output (and appsettings.json) is copied here.
        var serverDll = ServerProcess.StandaloneDll;
        var settingsPath = Path.Combine(AppContext.BaseDirectory, "appsettings.json");
        Assert.True(File.Exists(serverDll), $"missing {serverDll}");
        Assert.Equal(File.ReadAllText(RepoPaths.Combine("config", "appsettings.json")), File.ReadAllText(settingsPath));
        var settings = JObject.Parse(File.ReadAllText(settingsPath))["Pmcp"]!;

        using var server = new ServerProcess(serverDll, ["--port", "0"]);
        try
        {
            var url = await server.ListeningUrl.Within(StartTimeout, "the server's 'listening on' line");
            Assert.Equal("127.0.0.1", url.Host);
            Assert.NotEqual(9001, url.Port); // --port 0 beat the port in appsettings.json

            await using var client = await McpTestClient.ConnectAsync(url);
            var init = await client.InitializeAsync();
            Assert.Equal((string?)settings["Name"], (string?)init.Result!["serverInfo"]?["name"]);
            // One version for everything: no Version is configured, so the server reports the library's own.
            Assert.Null(settings["Version"]);
            Assert.Equal(Pmcp.Actors.Diagnostics.McpMetrics.Version, (string?)init.Result["serverInfo"]?["version"]);
            Assert.Equal((string?)settings["Instructions"], (string?)init.Result["instructions"]);
            Assert.Equal("from a test", (await client.CallToolAsync("echo", new { text = "from a test" })).ToolText());

            using (var kill = Process.Start("kill", ["-TERM", server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync().WaitAsync(Deadline.Default);
                Assert.Equal(0, kill.ExitCode);
            }

            var closed = await client.WaitForCloseAsync(ExitTimeout);
            Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, closed.Status);
            var exitCode = await server.Exited.Within(ExitTimeout, "the server process to exit after SIGTERM");
            Assert.Equal(0, exitCode);
        }
        finally
        {
            output.WriteLine(server.Output);
        }
    }

    [Fact]
    public async Task ServerProcesses_RunAsAGatewayAndAToolsNode_FromTheCommandLine()
    {
        var serverDll = ServerProcess.StandaloneDll;
        int remotePort;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            remotePort = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }
        var seed = $"akka.tcp://pmcp@127.0.0.1:{remotePort}";
        using var gateway = new ServerProcess(serverDll, ["--port", "0", "--role", "gateway", "--remote-port", remotePort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--seed-nodes", seed]);
        using var tools = new ServerProcess(serverDll, ["--role", "tools", "--seed-nodes", seed]);
        try
        {
            var url = await gateway.ListeningUrl.Within(StartTimeout, "the gateway's 'listening on' line");
            var joined = await tools.Joined.Within(TimeSpan.FromSeconds(60), "the tools node's 'joined cluster as tools' line");
            Assert.StartsWith("joined cluster as tools (akka.tcp://pmcp@127.0.0.1:", joined, StringComparison.Ordinal);
            Assert.DoesNotContain("listening on", tools.Output, StringComparison.Ordinal);
            var toolsAddress = joined["joined cluster as tools (".Length..^1];

            // The gateway answers isError until it has found the tools node; then the call runs there.
            await using var client = await McpTestClient.ConnectAsync(url);
            await client.InitializeAsync();
            WireMessage answer = null!;
            await Deadline.UntilAsync(async () => !(answer = await client.CallToolAsync("node")).IsToolError,
                () => "the gateway to find the tools node: " + answer?.Raw, TimeSpan.FromSeconds(60));
            Assert.StartsWith(toolsAddress + " (process ", answer.ToolText(), StringComparison.Ordinal);
            Assert.Equal("from a test", (await client.CallToolAsync("echo", new { text = "from a test" })).ToolText());

            using var http = new HttpClient();
            var health = new UriBuilder(url) { Scheme = "http", Path = "/healthz/ready" }.Uri;
            Assert.Equal("Healthy", await http.GetStringAsync(health));
        }
        finally
        {
            output.WriteLine(gateway.Output);
            output.WriteLine(tools.Output);
        }
    }

    [Fact]
    public async Task ServerProcess_RequiresABearerToken_WhenPmcpAuthTokensIsSet()
    {
        var serverDll = ServerProcess.StandaloneDll;
        using var server = new ServerProcess(serverDll, ["--port", "0"], new Dictionary<string, string> { ["PMCP_AUTH_TOKENS"] = "tok-one, tok-two" });
        try
        {
            var url = await server.ListeningUrl.Within(StartTimeout, "the server's 'listening on' line");

            var (none, noneHeaders) = await UpgradeProbe.TryUpgradeWithHeadersAsync(url);
            var wrong = await UpgradeProbe.TryUpgradeAsync(url, configure: o => o.SetRequestHeader("Authorization", "Bearer tok-three"));
            await using var client = await McpTestClient.ConnectAsync(url, configure: o => o.SetRequestHeader("Authorization", "Bearer tok-two"));
            await client.InitializeAsync();

            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, none);
            Assert.Equal("Bearer", Assert.Single(noneHeaders!["WWW-Authenticate"]));
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, wrong);
            Assert.Equal("hi", (await client.CallToolAsync("echo", new { text = "hi" })).ToolText());
        }
        finally
        {
            output.WriteLine(server.Output);
        }
    }

    [Fact]
    public async Task ServerProcess_ServesWss_WithTheCertificateFromItsConfig()
    {
        // A self-signed certificate made here, trusted by this client alone (by thumbprint).
        using var key = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest(
            "CN=localhost", key, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        var names = new System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        var pfx = Path.Combine(Path.GetTempPath(), $"pmcp-test-{Guid.NewGuid():N}.pfx");
        File.WriteAllBytes(pfx, certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx, "pfx-password"));
        var thumbprint = certificate.Thumbprint;

        var serverDll = ServerProcess.StandaloneDll;
        using var server = new ServerProcess(serverDll, ["--port", "0", "--Pmcp:Tls:CertificatePath=" + pfx, "--Pmcp:Tls:Password=pfx-password"]);
        try
        {
            var url = await server.ListeningUrl.Within(StartTimeout, "the server's 'listening on' line");
            Assert.Equal("wss", url.Scheme);

            string? seen = null;
            await using var client = await McpTestClient.ConnectAsync(url, configure: o => o.RemoteCertificateValidationCallback = (_, cert, _, _) =>
            {
                seen = cert?.GetCertHashString();
                return string.Equals(seen, thumbprint, StringComparison.OrdinalIgnoreCase);
            });
            await client.InitializeAsync();

            Assert.Equal("over tls", (await client.CallToolAsync("echo", new { text = "over tls" })).ToolText());
            Assert.Equal(thumbprint, seen, ignoreCase: true);
            await Assert.ThrowsAnyAsync<WebSocketException>(() => McpTestClient.ConnectAsync(url)); // untrusted without the callback
        }
        finally
        {
            output.WriteLine(server.Output);
            File.Delete(pfx);
        }
    }

    [GeneratedRegex(@"listening on (wss?://\S+)")]
    private static partial Regex ListeningLine();

    /// <summary>
    /// The standalone server run with <c>dotnet</c>; its output is collected, and it is killed on dispose if still running.
    /// Unless the test names a <c>Tasks:DataFolder</c>, the server keeps its tasks in a temp folder of its own
    /// (<see cref="DataFolder"/>, deleted on dispose): servers started from one build folder would otherwise share
    /// <c>data/tasks.db</c> beside the binary, which a single-node server holds for itself.
    /// </summary>
    internal sealed class ServerProcess : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();
        private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<Uri> _metrics = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<string> _joined = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The standalone server's entry assembly, copied beside the tests by the project reference.</summary>
        public static string StandaloneDll { get; } = Path.Combine(AppContext.BaseDirectory, "Pmcp.Actors.Server.dll");

        public ServerProcess(string dll, IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? environment = null)
        {
            var startInfo = new ProcessStartInfo("dotnet")
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                WorkingDirectory = Path.GetTempPath(), // the server must find its appsettings.json beside its binary, not in the cwd
            };
            foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            {
                startInfo.Environment[name] = value;
            }

            startInfo.ArgumentList.Add(dll);
            foreach (var arg in args)
            {
                startInfo.ArgumentList.Add(arg);
            }

            if (!args.Any(a => a.Contains("Tasks:DataFolder", StringComparison.OrdinalIgnoreCase)))
            {
                DataFolder = Path.Combine(Path.GetTempPath(), "pmcp-server-data", Guid.NewGuid().ToString("N"));
                startInfo.ArgumentList.Add("--Pmcp:Tasks:DataFolder=" + DataFolder);
            }

            // Tests run several servers at once: each gets a free metrics port too, unless the test chooses one.
            if (!args.Any(a => a.Contains("Telemetry", StringComparison.OrdinalIgnoreCase))) startInfo.ArgumentList.Add("--Pmcp:Telemetry:MetricsPort=0");

            _process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
            _process.OutputDataReceived += (_, e) => OnLine("out", e.Data);
            _process.ErrorDataReceived += (_, e) => OnLine("err", e.Data);
            _process.Exited += (_, _) =>
            {
                _process.WaitForExit(); // and for the last lines of its output, so a test that reads them after the exit sees them all
                _exited.TrySetResult(_process.ExitCode);
            };
            _process.Start();
            _process.StandardInput.Close();
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public int Id => _process.Id;

        /// <summary>The temp folder of the server's task store, made for it; null when the test named its own.</summary>
        public string? DataFolder { get; }

        public Task<Uri> ListeningUrl => _listening.Task;

        /// <summary>The server's <c>metrics on URL</c> line: its Prometheus endpoint.</summary>
        public Task<Uri> MetricsUrl => _metrics.Task;

        public Task<int> Exited => _exited.Task;

        /// <summary>The <c>joined cluster as ROLE (ADDRESS)</c> line of a cluster node.</summary>
        public Task<string> Joined => _joined.Task;

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        public void Dispose()
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.Kill(entireProcessTree: true);
                    _process.WaitForExit(10_000); // its store's files are closed before they are deleted
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            _process.Dispose();
            if (DataFolder is not null && Directory.Exists(DataFolder))
            {
                try
                {
                    Directory.Delete(DataFolder, recursive: true);
                }
                catch (IOException)
                {
                    // Still held by a process that would not die: the temp folder is the system's to clean.
                }
            }
        }

        private void OnLine(string stream, string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_output)
            {
                _output.Append(stream).Append(": ").AppendLine(line);
            }

            if (stream == "out" && line.StartsWith("joined cluster as ", StringComparison.Ordinal))
            {
                _joined.TrySetResult(line);
            }

            if (stream == "out" && line.StartsWith("metrics on ", StringComparison.Ordinal))
            {
                _metrics.TrySetResult(new Uri(line["metrics on ".Length..]));
            }

            if (stream == "out" && ListeningLine().Match(line) is { Success: true } match)
            {
                _listening.TrySetResult(new Uri(match.Groups[1].Value));
            }
        }
    }
}
