using LinqToDB;
using LinqToDB.Data;

namespace Pmcp.Actors.Tasks;

/// <summary>
/// The SQL store that Akka.Persistence keeps tasks in: which Linq2Db provider and connection string
/// <see cref="McpTaskOptions"/> name, and a check that the store can be opened before the server starts (a store that
/// cannot be reached would otherwise surface as tasks that never answer).
/// </summary>
public static class TaskStore
{
    /// <summary>The exit code of the standalone server when the task store cannot be opened at start (or is another server's).</summary>
    public const int UnavailableExitCode = 3;

    /// <summary>The provider names <see cref="McpTaskOptions.Provider"/> takes.</summary>
    public static IReadOnlyList<string> Providers { get; } = ["SQLite", "PostgreSQL", "SqlServer"];

    /// <summary>The store <paramref name="provider"/> names, or null when it is not one of <see cref="Providers"/>.</summary>
    internal static TaskStoreKind? KindFor(string? provider) => provider?.ToLowerInvariant() switch
    {
        "sqlite" => TaskStoreKind.Sqlite,
        "postgresql" or "postgres" => TaskStoreKind.PostgreSql,
        "sqlserver" => TaskStoreKind.SqlServer,
        _ => null,
    };

    internal static TaskStoreKind KindOf(McpTaskOptions options) =>
        options.ConnectionString is null ? TaskStoreKind.Sqlite : KindFor(options.Provider) ?? throw new ArgumentException($"Tasks:Provider '{options.Provider}' is not one of {string.Join(", ", Providers)}.");

    /// <summary>The connection string Akka.Persistence uses: <see cref="McpTaskOptions.ConnectionString"/>, or the SQLite file under the data folder.</summary>
    internal static string ConnectionString(McpTaskOptions options) =>
        options.ConnectionString ?? $"Data Source={SqliteFile(options)}";

    internal static string SqliteFile(McpTaskOptions options) => Path.GetFullPath(Path.Combine(options.DataFolder, "tasks.db"));

    /// <summary>The Linq2Db provider name: each generates its own SQL dialect (the purge's DELETE included).</summary>
    internal static string Provider(McpTaskOptions options) => KindOf(options) switch
    {
        TaskStoreKind.PostgreSql => ProviderName.PostgreSQL,
        TaskStoreKind.SqlServer => ProviderName.SqlServer,
        _ => ProviderName.SQLiteMS,
    };

    /// <summary>
    /// One line naming the driver package the store needs when the app does not include it, else null. The project
    /// ships the SQLite and PostgreSQL drivers; SQL Server's (Microsoft.Data.SqlClient) is the app's to add: without
    /// this check Linq2Db's own error would not say which package is missing.
    /// </summary>
    internal static string? MissingDriver(McpTaskOptions options) =>
        KindOf(options) == TaskStoreKind.SqlServer
        && Type.GetType("Microsoft.Data.SqlClient.SqlConnection, Microsoft.Data.SqlClient", throwOnError: false) is null
        && Type.GetType("System.Data.SqlClient.SqlConnection, System.Data.SqlClient", throwOnError: false) is null
            ? $"the task store ({Describe(options)}) needs the ADO.NET driver package Microsoft.Data.SqlClient, which this app does not include; add it to the app (dotnet add package Microsoft.Data.SqlClient), or use Pmcp:Tasks:Provider PostgreSQL or SQLite"
            : null;

    /// <summary>
    /// How every connection to the store is made (the journal's, the snapshot store's, the start check's and the purge's):
    /// the provider and connection string, and, for SQLite, a busy timeout on each connection (<see cref="SqliteTuning"/>).
    /// </summary>
    internal static DataOptions DataOptions(McpTaskOptions options)
    {
        var data = new DataOptions().UseConnectionString(Provider(options), ConnectionString(options));
        return options.ConnectionString is null ? data.UseInterceptor(new SqliteTuning(options.StoreTimeout)) : data;
    }

    /// <summary>
    /// Creates the data folder (for SQLite) and opens one connection to the store within <see cref="McpTaskOptions.StoreTimeout"/>.
    /// Returns null when it could, or one line saying why not. On a single node (<paramref name="cluster"/> null or not
    /// enabled) a SQLite or PostgreSQL store must not be in use by another running server (<see cref="TaskStoreClaim"/>):
    /// two servers that each think they alone own the tasks in one store would report each other's running tasks failed.
    /// </summary>
    public static async Task<string?> CheckAsync(McpTaskOptions options, Cluster.McpClusterOptions? cluster = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            options.Validate();
            if (MissingDriver(options) is { } missing) return missing;
            PrepareSqlite(options);
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(options.StoreTimeout);
                await using var connection = new DataConnection(DataOptions(options));
                await connection.ExecuteAsync("SELECT 1", timeout.Token).ConfigureAwait(false);
            }
            if (cluster is not { Enabled: true })
            {
                using var claim = TaskStoreClaim.TryTake(options, out var inUse);
                if (claim is null) return inUse;
            }
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"the task store ({Describe(options)}) did not answer within {options.StoreTimeout.TotalSeconds:0.#} s";
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return $"the task store ({Describe(options)}) cannot be opened: {OneLine(ex.GetBaseException().Message)}";
        }
    }

    /// <summary>
    /// Makes the SQLite file ready: its folder, and write-ahead logging, so that the journal's writes and the reads of
    /// recovering tasks do not wait on each other's locks (the journal mode is kept in the file; the busy timeout is set
    /// first, so a file another node is preparing at the same moment is waited for, not failed).
    /// </summary>
    internal static void PrepareSqlite(McpTaskOptions options)
    {
        if (options.ConnectionString is not null) return;
        Directory.CreateDirectory(Path.GetFullPath(options.DataFolder));
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection(ConnectionString(options));
        connection.Open();
        SqliteTuning.Apply(connection, options.StoreTimeout);
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// Removes what Akka.Persistence.Sql leaves of a deleted persistence id. Its delete (<c>DeleteMessages</c>) removes
    /// the events but keeps the newest one, marked <c>deleted</c>, so that the id's sequence numbers never start again;
    /// a task id is never used again (the server makes 128-bit random ids, and an expired id answers as unknown), so
    /// that row is of no use and goes here. Tasks keep no snapshots, so the snapshot table holds nothing of them.
    /// </summary>
    internal static async Task PurgeAsync(McpTaskOptions options, string persistenceId, CancellationToken cancellationToken = default)
    {
        await using var connection = new DataConnection(DataOptions(options));
        await connection.GetTable<DeletedJournalRow>()
            .Where(r => r.PersistenceId == persistenceId && r.Deleted)
            .DeleteAsync(cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>
    /// The store, named for an error line: never with the connection string's password. It does not throw (it names the
    /// store in the line that reports an invalid one too).
    /// </summary>
    internal static string Describe(McpTaskOptions options) => options.ConnectionString is null
        ? $"SQLite file {Path.Combine(options.DataFolder, "tasks.db")}"
        : KindFor(options.Provider) switch
        {
            TaskStoreKind.PostgreSql => DescribePostgres(options.ConnectionString),
            TaskStoreKind.SqlServer => "SQL Server",
            TaskStoreKind.Sqlite => "SQLite",
            _ => options.Provider,
        };

    private static string DescribePostgres(string connectionString)
    {
        try
        {
            var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
            return $"PostgreSQL database {builder.Database ?? builder.Username ?? "(default)"} on {builder.Host}:{builder.Port}";
        }
        catch (ArgumentException)
        {
            return "PostgreSQL";
        }
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    /// <summary>The columns of the journal table (Akka.Persistence.Sql's default mapping, which <c>WithMcpTasks</c> uses) that the purge reads.</summary>
    [LinqToDB.Mapping.Table("journal")]
    private sealed class DeletedJournalRow
    {
        [LinqToDB.Mapping.Column("persistence_id")]
        public string PersistenceId { get; set; } = "";

        [LinqToDB.Mapping.Column("deleted")]
        public bool Deleted { get; set; }
    }
}
