using Akka.Cluster;
using Newtonsoft.Json.Linq;
using Npgsql;
using Pmcp.Actors.Cluster;
using Pmcp.Actors.Tasks;
using Pmcp.Actors.Tests.Cluster;
using Pmcp.Actors.Tests.Loopback;
using Pmcp.Actors.Tests.Support;
using Xunit.Abstractions;
using ServerProcess = Pmcp.Actors.Tests.Loopback.ServerProcessTests.ServerProcess;

namespace Pmcp.Actors.Tests.Tasks.PostgreSql;

/// <summary>
/// The task store on a real PostgreSQL server (a private one, <see cref="PostgreSqlServer"/>), chosen by configuration
/// alone (<c>Pmcp:Tasks:Provider</c> and <c>ConnectionString</c>): Akka.Persistence.Sql makes its tables on first start,
/// finished tasks outlive the server process, a single-node server claims its database (an advisory lock) so a second
/// one exits with code 3, an unreachable server ends the start with code 3 at once, an expired task leaves no row, and
/// two cluster nodes share one database. Each test has a database of its own.
/// </summary>
[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlTaskStoreTests(PostgreSqlServer postgres, ITestOutputHelper output)
{
    private static readonly string ServerDll = ServerProcess.StandaloneDll;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task FinishedTask_IsStillReadWithItsResult_AfterTheServerProcessRestarts()
    {
        var store = await postgres.CreateDatabaseAsync();
        string taskId;
        using (var first = new ServerProcess(ServerDll, OnPostgres(store)))
        {
            try
            {
                await using var client = await McpTestClient.ConnectAsync(await first.ListeningUrl.Within(StartTimeout, "the server's 'listening on' line"));
                taskId = await StartReportAsync(client);
                await TaskServers.AwaitStatusAsync(client, taskId, "completed");
            }
            finally
            {
                output.WriteLine(first.Output);
            }
        } // killed: PostgreSQL ends its session, and the claim with it
        await Deadline.UntilAsync(async () => await ClaimsAsync(store) == 0, () => "the killed server's claim on the database to go", TimeSpan.FromSeconds(60),
            pollInterval: TimeSpan.FromMilliseconds(100));

        using var second = new ServerProcess(ServerDll, OnPostgres(store));
        try
        {
            await using var later = await McpTestClient.ConnectAsync(await second.ListeningUrl.Within(StartTimeout, "the restarted server's 'listening on' line"));
            var task = await TaskServers.AwaitStatusAsync(later, taskId, "completed");

            Assert.Equal("Report ready after 0 s.", (string?)task["result"]!["content"]![0]!["text"]);
            Assert.Equal(1, await ClaimsAsync(store));
        }
        finally
        {
            output.WriteLine(second.Output);
        }
    }

    [Fact]
    public async Task SecondSingleNodeServer_OnTheSameDatabase_ExitsWithCode3AndOneLine_AndTheFirstKeepsServing()
    {
        var store = await postgres.CreateDatabaseAsync();
        using var first = new ServerProcess(ServerDll, OnPostgres(store));
        try
        {
            var url = await first.ListeningUrl.Within(StartTimeout, "the first server's 'listening on' line");
            using var late = new ServerProcess(ServerDll, OnPostgres(store));
            var exitCode = await late.Exited.Within(StartTimeout, "the second server to give up on the database the first holds");
            output.WriteLine(late.Output);
            await using var client = await McpTestClient.ConnectAsync(url);
            var taskId = await StartReportAsync(client); // the first one goes on, tasks and all

            Assert.Equal(TaskStore.UnavailableExitCode, exitCode);
            var errors = ErrorLines(late);
            Assert.Single(errors);
            Assert.Contains("PostgreSQL database", errors[0], StringComparison.Ordinal);
            Assert.Contains("is in use by another running server", errors[0], StringComparison.Ordinal);
            Assert.DoesNotContain("listening on", late.Output, StringComparison.Ordinal);
            Assert.Equal("Report ready after 0 s.", (string?)(await TaskServers.AwaitStatusAsync(client, taskId, "completed"))["result"]!["content"]![0]!["text"]);
        }
        finally
        {
            output.WriteLine(first.Output);
        }
    }

    [Fact]
    public async Task UnreachablePostgreSql_EndsTheServerAtStart_WithCode3AndALineNamingIt()
    {
        int closedPort;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            closedPort = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var server = new ServerProcess(ServerDll,
            OnPostgres($"Host=127.0.0.1;Port={closedPort};Username=postgres;Database=tasks", "--Pmcp:Tasks:StoreTimeout=00:00:05"));

        var exitCode = await server.Exited.Within(StartTimeout, "the server to give up on an unreachable task store");

        output.WriteLine($"exited after {clock.Elapsed.TotalSeconds:0.0} s (process start included)\n{server.Output}");
        Assert.Equal(TaskStore.UnavailableExitCode, exitCode);
        var errors = ErrorLines(server);
        Assert.Single(errors);
        Assert.Contains($"the task store (PostgreSQL database tasks on 127.0.0.1:{closedPort}) cannot be opened", errors[0], StringComparison.Ordinal);
        Assert.DoesNotContain("listening on", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExpiredTask_LeavesNoRowInTheJournal()
    {
        var store = await postgres.CreateDatabaseAsync();
        using var data = new TempFolder();
        await using var server = await TaskServers.StartAsync(data.Path, output, configureTasks: t => UsePostgres(t, store));
        await using var client = await server.ConnectAsync();
        var taskId = await TaskServers.CompletedShortLivedTaskAsync(client);
        Assert.True(await JournalRowsAsync(store, taskId) >= 2, "the created and ended events were stored in the journal");

        var gone = await TaskServers.AwaitExpiredAsync(client, taskId);
        await Deadline.UntilAsync(async () => await RowsAnywhereAsync(store, taskId) == 0, () => $"the rows of task {taskId} to go", TimeSpan.FromSeconds(60),
            pollInterval: TimeSpan.FromMilliseconds(200));

        Assert.Contains("Unknown task", (string?)gone.Error!["message"]);
        Assert.Equal(-32602, (await client.RequestAsync("tasks/get", new JObject { ["taskId"] = taskId }, TaskServers.Slow)).ErrorCode);
        Assert.Equal(0, await RowsAnywhereAsync(store, taskId));
    }

    [Fact]
    public async Task TwoClusterNodes_SharingOneDatabase_ReadThroughB_TasksStartedThroughA()
    {
        var store = await postgres.CreateDatabaseAsync();
        using var data = new TempFolder();
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        await using var a = await TaskServers.StartAsync(data.Path, output, open, TaskServers.Node([]), configureTasks: t => UsePostgres(t, store));
        await using var b = await TaskServers.JoinAsync(a, data.Path, output, open, t => UsePostgres(t, store));
        await TaskServers.StartedThroughAAreReadThroughBAsync(a, b);
        Assert.Equal(0, await ClaimsAsync(store)); // cluster nodes share the store and claim nothing
    }

    [Fact]
    public async Task StartCheck_OfADatabaseAnotherSingleNodeHolds_SaysSoInOneLine_AClusterNodeMayShareIt_AndTheClaimGoesWithItsHolder()
    {
        var options = new McpTaskOptions { Provider = "PostgreSQL", ConnectionString = await postgres.CreateDatabaseAsync() };
        Assert.Null(await TaskStore.CheckAsync(options));

        var held = TaskStoreClaim.TryTake(options, out _);
        Assert.NotNull(held);
        var single = await TaskStore.CheckAsync(options);
        var clustered = await TaskStore.CheckAsync(options, new McpClusterOptions { Enabled = true });
        held.Dispose();
        var afterwards = await TaskStore.CheckAsync(options);

        Assert.Contains("is in use by another running server", single, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', single!);
        Assert.Null(clustered);
        Assert.Null(afterwards);
    }

    private static string[] OnPostgres(string connectionString, params string[] more) =>
        ["--port", "0", "--Pmcp:Tasks:Provider=PostgreSQL", "--Pmcp:Tasks:ConnectionString=" + connectionString, .. more];

    private static void UsePostgres(McpTaskOptions options, string connectionString)
    {
        options.Provider = "PostgreSQL";
        options.ConnectionString = connectionString;
    }

    /// <summary>A 2026-07-28 task of the demo tool <c>report</c> (0 s); its id.</summary>
    private static async Task<string> StartReportAsync(McpTestClient client) =>
        (string)(await client.RequestAsync("tools/call", TaskServers.WithTasks(new JObject { ["name"] = "report", ["arguments"] = new JObject { ["seconds"] = 0 } }),
            TaskServers.Slow)).EnsureSuccess().Result!["taskId"]!;

    private static List<string> ErrorLines(ServerProcess server) =>
        server.Output.Split('\n').Where(l => l.Contains("error:", StringComparison.Ordinal)).ToList();

    /// <summary>Advisory locks held in the database: the single-node servers' claims on it.</summary>
    private static Task<long> ClaimsAsync(string store) =>
        ScalarAsync(store, "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())");

    private static Task<long> JournalRowsAsync(string store, string taskId) =>
        ScalarAsync(store, "SELECT COUNT(*) FROM journal WHERE persistence_id LIKE @id", taskId);

    /// <summary>Rows of any table of the store's schema whose text (the whole row cast to text) mentions <paramref name="taskId"/>.</summary>
    private static async Task<long> RowsAnywhereAsync(string store, string taskId)
    {
        await using var connection = new NpgsqlConnection(store);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        }
        Assert.Contains("journal", tables); // made by Akka.Persistence.Sql on first start
        long rows = 0;
        foreach (var table in tables)
        {
            await using var count = new NpgsqlCommand($"SELECT COUNT(*) FROM \"{table}\" AS row WHERE row::text LIKE @id", connection);
            count.Parameters.AddWithValue("id", "%" + taskId + "%");
            rows += (long)(await count.ExecuteScalarAsync())!;
        }
        return rows;
    }

    private static async Task<long> ScalarAsync(string store, string sql, string? taskId = null)
    {
        await using var connection = new NpgsqlConnection(store);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        if (taskId is not null) command.Parameters.AddWithValue("id", "%" + taskId + "%");
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
