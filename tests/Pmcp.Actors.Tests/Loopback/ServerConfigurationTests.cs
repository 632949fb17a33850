using Pmcp.Actors.Tests.Support;
using Xunit.Abstractions;
using ServerProcess = Pmcp.Actors.Tests.Loopback.ServerProcessTests.ServerProcess;

namespace Pmcp.Actors.Tests.Loopback;

/// <summary>
/// A configuration the standalone server cannot use is bad input: the real server process prints one line that names
/// the key, the value and what is allowed, and exits with code 2, with no stack trace (README, "Outcomes").
/// </summary>
public sealed class ServerConfigurationTests(ITestOutputHelper output)
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(30);

    private static string ServerDll => ServerProcess.StandaloneDll;

    public static TheoryData<string[], string> BadConfigurations() => new()
    {
        { ["--port", "-1"], "Pmcp:Port (--port) is '-1'; it must be a whole number from 0 to 65535" },
        { ["--port", "abc"], "Pmcp:Port (--port) is 'abc'; it must be a whole number from 0 to 65535" },
        { ["--port", "0", "--Pmcp:Server:MaxConnections=abc"], "Pmcp:Server:MaxConnections is 'abc'; it must be a whole number" },
        { ["--port", "0", "--Pmcp:Server:MaxConnections=0"], "Pmcp:Server:MaxConnections is 0; it must be a whole number of at least 1" },
        { ["--port", "0", "--Pmcp:Server:HandshakeTimeout=banana"], "Pmcp:Server:HandshakeTimeout is 'banana'; it must be a time span such as 00:00:10" },
        { ["--port", "0", "--Pmcp:Server:DefaultLogLevel=loud"], "Pmcp:Server:DefaultLogLevel is 'loud'; it must be one of debug, info, notice" },
        { ["--port", "0", "--Pmcp:Server:Path=mcp"], "Pmcp:Server:Path is 'mcp'; it must be a path that starts with '/'" },
        { ["--port", "0", "--config", "/no/such/pmcp-settings.json"], "--config is '/no/such/pmcp-settings.json', a file that does not exist" },
        { ["--port", "0", "--role", "banana"], "Pmcp:Cluster:Role is 'banana'; it must be one of both, gateway, tools" },
        { ["--port", "0", "--Pmcp:Tls:CertificatePath=/no/such/cert.pfx"], "Pmcp:Tls:CertificatePath is '/no/such/cert.pfx', a file that does not exist" },
        { ["--port", "0", "--role", "tools", "--Pmcp:Cluster:TlsCertificatePath=/no/such/node.pfx"], "Pmcp:Cluster: TlsCertificatePath is '/no/such/node.pfx', a file that does not exist" },
        { ["--port", "0", "--Pmcp:Cluster:TlsTrustedThumbprints:0=xyz"], "Pmcp:Cluster: TlsTrustedThumbprints: 'xyz' is not a certificate thumbprint" },
        { ["--port", "0", "--Pmcp:Server:AllowedOrigins:0=ftp://x"], "Pmcp:Server:AllowedOrigins: AllowedOrigins entries must be '*', 'null' or an origin" },
        { ["--port", "0", "--Pmcp:Server:RequestStateKey=not*base64"], "Pmcp:Server:RequestStateKey cannot be used: it must be base64" },
        { ["--port", "0", "--Pmcp:Server:RequestStateKey=c2hvcnQ="], "Pmcp:Server:RequestStateKey cannot be used: it must decode to at least 32 bytes (it has 5)" },
    };

    /// <summary>What a requestState key file may be found holding: not base64, too short, or a folder where the file belongs.</summary>
    public static TheoryData<string, string> BadKeyFiles() => new()
    {
        { "text", "it must be base64" },
        { "short", "it must decode to at least 32 bytes" },
        { "folder", "it is a folder, not a file" },
    };

    [Theory]
    [MemberData(nameof(BadKeyFiles))]
    public async Task BadRequestStateKeyFile_StopsTheStartWithOneLineNamingIt_AndExitsWithCode2(string kind, string expected)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"pmcp-data-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        var keyFile = Path.Combine(folder, "request-state.key");
        if (kind == "folder") Directory.CreateDirectory(keyFile);
        else await File.WriteAllTextAsync(keyFile, kind == "text" ? "this is not a key!" : Convert.ToBase64String(new byte[8]));
        try
        {
            using var server = new ServerProcess(ServerDll, ["--port", "0", $"--Pmcp:Server:DataDirectory={folder}"]);
            var exitCode = await server.Exited.Within(ExitTimeout, "the server to exit on its bad requestState key file");
            output.WriteLine(server.Output);

            Assert.Equal(2, exitCode);
            var line = Assert.Single(server.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            Assert.StartsWith("err: error: invalid configuration: Pmcp:Server:DataDirectory holds the requestState key file ", line, StringComparison.Ordinal);
            Assert.Contains(keyFile, line, StringComparison.Ordinal);
            Assert.Contains(expected, line, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(BadConfigurations))]
    public async Task BadConfiguration_PrintsOneLineNamingIt_AndExitsWithCode2(string[] args, string expected)
    {
        using var server = new ServerProcess(ServerDll, args);
        var exitCode = await server.Exited.Within(ExitTimeout, "the server to exit on its bad configuration");
        output.WriteLine(server.Output);

        Assert.Equal(2, exitCode);
        var lines = server.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var line = Assert.Single(lines);
        Assert.StartsWith("err: error: invalid configuration: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigFileThatIsNotJson_PrintsOneLineNamingIt_AndExitsWithCode2()
    {
        var file = Path.Combine(Path.GetTempPath(), $"pmcp-bad-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, """{ "Pmcp": { "Port": 5, }""");
        try
        {
            using var server = new ServerProcess(ServerDll, ["--config", file]);
            var exitCode = await server.Exited.Within(ExitTimeout, "the server to exit on its bad settings file");
            output.WriteLine(server.Output);

            Assert.Equal(2, exitCode);
            var line = Assert.Single(server.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            Assert.StartsWith("err: error: invalid configuration: ", line, StringComparison.Ordinal);
            Assert.Contains(file, line, StringComparison.Ordinal);
            Assert.Contains("it must be JSON", line, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task UnknownKeyUnderPmcp_IsWarnedAbout_AndTheServerStillStarts()
    {
        using var server = new ServerProcess(ServerDll, ["--port", "0", "--Pmcp:Server:MaxConection=5", "--Pmcp:Colour=blue"]);
        try
        {
            var url = await server.ListeningUrl.Within(TimeSpan.FromSeconds(30), "the server's 'listening on' line");
            await using var client = await McpTestClient.ConnectAsync(url);
            await client.InitializeAsync();

            Assert.Contains("err: warning: unknown setting Pmcp:Server:MaxConection is ignored; did you mean MaxConnections?", server.Output, StringComparison.Ordinal);
            Assert.Contains("err: warning: unknown setting Pmcp:Colour is ignored.", server.Output, StringComparison.Ordinal);
        }
        finally
        {
            output.WriteLine(server.Output);
        }
    }
}
