using LinqToDB.Data;
using Pmcp.Actors.Tasks;

namespace Pmcp.Actors.Tests.Tasks;

/// <summary>
/// The SQLite task store as every connection to it sees it: in write-ahead-log mode (readers and the writer do not
/// block each other), and with a busy timeout as long as the store timeout (a connection that meets another's lock
/// waits for it instead of failing at once).
/// </summary>
public sealed class TaskStoreTests : IDisposable
{
    private readonly TempFolder _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public void SqliteStore_IsInWalMode_AndEachConnectionWaitsForLocks_AsLongAsTheStoreTimeout()
    {
        var options = new McpTaskOptions { DataFolder = _data.Path, StoreTimeout = TimeSpan.FromSeconds(12) };
        TaskStore.PrepareSqlite(options);

        using var connection = new DataConnection(TaskStore.DataOptions(options));

        Assert.Equal("wal", connection.Execute<string>("PRAGMA journal_mode;"));
        Assert.Equal(12_000, connection.Execute<long>("PRAGMA busy_timeout;"));
    }

    [Fact]
    public async Task Check_OfAProviderNotAmongTheProviders_IsOneLineNamingThem_NotAnException()
    {
        var line = await TaskStore.CheckAsync(new McpTaskOptions { Provider = "Oracle", ConnectionString = "Data Source=x" });

        Assert.Contains("Tasks:Provider must be one of SQLite, PostgreSQL, SqlServer, not 'Oracle'", line, StringComparison.Ordinal);
        Assert.Contains("(Oracle)", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SingleNodeCheck_OfAStoreAnotherServerHolds_SaysSoInOneLine_AndAClusterNodeMayShareIt()
    {
        var options = new McpTaskOptions { DataFolder = _data.Path };
        TaskStore.PrepareSqlite(options);
        using var held = TaskStoreClaim.TryTake(options, out _);
        Assert.NotNull(held);

        var single = await TaskStore.CheckAsync(options);
        var clustered = await TaskStore.CheckAsync(options, new Pmcp.Actors.Cluster.McpClusterOptions { Enabled = true });

        Assert.Contains("is in use by another running server", single, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', single!);
        Assert.Null(clustered);
    }
}
