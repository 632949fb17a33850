using Pmcp.Actors.Tasks;
using Pmcp.Actors.Tests.Support;
using Xunit.Abstractions;
using ServerProcess = Pmcp.Actors.Tests.Loopback.ServerProcessTests.ServerProcess;

namespace Pmcp.Actors.Tests.Tasks;

/// <summary>
/// SQL Server is a provider whose driver the project does not ship (and no SQL Server runs where the suite does): a
/// standalone server configured for it says at start, in one line, which package is missing, and exits with code 3
/// instead of hanging or failing with Linq2Db's own words.
/// </summary>
public sealed class TaskStoreDriverTests(ITestOutputHelper output)
{
    [Fact]
    public async Task SqlServerStore_WithoutItsDriverPackage_EndsTheStartWithCode3AndALineNamingThePackage()
    {
        Assert.Null(Type.GetType("Microsoft.Data.SqlClient.SqlConnection, Microsoft.Data.SqlClient", throwOnError: false)); // the premise
        using var server = new ServerProcess(ServerProcess.StandaloneDll,
            ["--port", "0", "--Pmcp:Tasks:Provider=SqlServer", "--Pmcp:Tasks:ConnectionString=Server=127.0.0.1,1;Database=tasks;User Id=sa;Password=unused;TrustServerCertificate=true"]);

        var exitCode = await server.Exited.Within(TimeSpan.FromSeconds(90), "the server to give up on a store it has no driver for");

        output.WriteLine(server.Output);
        Assert.Equal(TaskStore.UnavailableExitCode, exitCode);
        var errors = server.Output.Split('\n').Where(l => l.Contains("error:", StringComparison.Ordinal)).ToList();
        Assert.Single(errors);
        Assert.Contains("Microsoft.Data.SqlClient", errors[0], StringComparison.Ordinal);
        Assert.DoesNotContain("unused", server.Output, StringComparison.Ordinal); // the password is never printed
        Assert.DoesNotContain("listening on", server.Output, StringComparison.Ordinal);
    }
}
