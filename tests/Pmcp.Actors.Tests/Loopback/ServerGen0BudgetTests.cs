using System.Text;
using Microsoft.Diagnostics.NETCore.Client;
using Pmcp.Actors.Server;
using Pmcp.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Loopback;

/// <summary>
/// The standalone server gives the GC a gen0 budget on a Linux machine that reports no CPU cache, by starting itself
/// again in place (Gen0Budget.cs), and leaves a budget the operator set alone.
/// </summary>
public sealed class ServerGen0BudgetTests(ITestOutputHelper output)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(true, false, null, false, true)] // the case it is for
    [InlineData(false, false, null, false, false)] // not Linux: no execve, and no such fallback measured
    [InlineData(true, true, null, false, false)] // the runtime sees a cache and sizes gen0 from it
    [InlineData(true, false, "0", false, false)] // the operator chose (0: the runtime's own budget)
    [InlineData(true, false, "0x2000000", false, false)]
    [InlineData(true, false, null, true, false)] // under a debugger, which a restart would lose
    public void Rule_RestartsOnlyOnLinux_WithNoCacheReported_AndNoBudgetGiven(bool linux, bool cache, string? budget, bool debugger, bool restarts)
    {
        var environment = new Dictionary<string, string?> { [Gen0Budget.Variable] = budget };
        Assert.Equal(restarts, Gen0Budget.ShouldRestart(linux, cache, name => environment.GetValueOrDefault(name), debugger));
    }

    [Fact]
    public void Rule_AlsoHonoursTheOlderComPlusPrefix()
    {
        var environment = new Dictionary<string, string?> { ["COMPlus_GCgen0size"] = "0x400000" };
        Assert.False(Gen0Budget.ShouldRestart(true, false, name => environment.GetValueOrDefault(name), false));
    }

    [Fact]
    public void CommandLine_IsEachNulEndedArgument_AsGiven()
    {
        var cmdline = Encoding.UTF8.GetBytes("dotnet\0server.dll\0--name=a b\0\0ü\0");
        Assert.Equal(["dotnet", "server.dll", "--name=a b", "", "ü"], Gen0Budget.CommandLine(cmdline));
    }

    [Fact]
    public void Environment_KeepsEveryEntry_AndAddsTheBudget()
    {
        var entries = Gen0Budget.WithBudget(new System.Collections.Hashtable { ["PATH"] = "/bin", ["EMPTY"] = "" });
        Assert.Equal(["DOTNET_GCgen0size=0x1000000", "EMPTY=", "PATH=/bin"], entries.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ServerProcess_RunsWithTheBudget_InTheSameProcess_WhenTheMachineReportsNoCache()
    {
        var serverDll = ServerProcessTests.ServerProcess.StandaloneDll;
        using var server = new ServerProcessTests.ServerProcess(serverDll, ["--port", "0", "--Pmcp:Name=budget test"]);
        try
        {
            var url = await server.ListeningUrl.Within(StartTimeout, "the server's 'listening on' line");

            // The process the test started is the one serving (execve keeps the id), with the arguments it was given.
            var arguments = Gen0Budget.CommandLine(await File.ReadAllBytesAsync($"/proc/{server.Id}/cmdline"));
            Assert.Equal(serverDll, arguments[1]);
            Assert.Contains("--Pmcp:Name=budget test", arguments);
            await using var client = await McpTestClient.ConnectAsync(url);
            Assert.Equal("budget test", (string?)(await client.InitializeAsync()).Result!["serverInfo"]?["name"]);

            var budget = Budgets(server.Id);
            if (Directory.Exists("/sys/devices/system/cpu/cpu0/cache")) Assert.Empty(budget);
            else Assert.Equal(["DOTNET_GCgen0size=0x1000000"], budget);
            // The restarted runtime removed the name its predecessor's socket was set aside under.
            Assert.Empty(Directory.EnumerateFiles(Path.GetTempPath(), $"dotnet-diagnostic-{server.Id}-*{DiagnosticsSockets.SetAsideSuffix}"));
        }
        finally
        {
            output.WriteLine(server.Output);
        }
    }

    /// <summary>
    /// Across the restart the diagnostics socket is renamed aside, and back when the execve fails: a listening socket keeps
    /// working under either name, so a server that could not restart stays attachable.
    /// </summary>
    [Fact]
    public async Task DiagnosticsSocket_SetAside_IsRestoredListening_OrRemovedAfterTheRestart()
    {
        var folder = Directory.CreateTempSubdirectory("pmcp-diag-").FullName;
        try
        {
            var path = Path.Combine(folder, "dotnet-diagnostic-4242-1234-socket");
            using var listener = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
            listener.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
            listener.Listen();
            File.WriteAllText(Path.Combine(folder, "dotnet-diagnostic-4243-1234-socket"), ""); // another process's: left alone

            var setAside = DiagnosticsSockets.SetAside(folder, 4242);
            Assert.Equal([(path, path + DiagnosticsSockets.SetAsideSuffix)], setAside);
            Assert.False(File.Exists(path));
            await ConnectAsync(path + DiagnosticsSockets.SetAsideSuffix); // still the same listening socket

            DiagnosticsSockets.Restore(setAside);
            await ConnectAsync(path);

            DiagnosticsSockets.SetAside(folder, 4242);
            DiagnosticsSockets.RemoveSetAside(folder, 4242);
            Assert.Equal(["dotnet-diagnostic-4243-1234-socket"], Directory.EnumerateFiles(folder).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        static async Task ConnectAsync(string path)
        {
            using var client = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
            await client.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
            Assert.True(client.Connected);
        }
    }

    [Fact]
    public async Task ServerProcess_KeepsTheBudgetTheOperatorGave()
    {
        var serverDll = ServerProcessTests.ServerProcess.StandaloneDll;
        using var server = new ServerProcessTests.ServerProcess(serverDll, ["--port", "0"], new Dictionary<string, string> { [Gen0Budget.Variable] = "0" });
        try
        {
            await server.ListeningUrl.Within(StartTimeout, "the server's 'listening on' line");
            Assert.Equal(["DOTNET_GCgen0size=0"], Budgets(server.Id));
        }
        finally
        {
            output.WriteLine(server.Output);
        }
    }

    /// <summary>
    /// The gen0 budget entries of the process's environment, asked of its runtime over the diagnostics port, as
    /// dotnet-counters and dotnet-trace attach: a restart that left its port unusable fails here.
    /// </summary>
    private static string[] Budgets(int pid) =>
        [.. new DiagnosticsClient(pid).GetProcessEnvironment().Where(e => e.Key == Gen0Budget.Variable).Select(e => $"{e.Key}={e.Value}")];
}
