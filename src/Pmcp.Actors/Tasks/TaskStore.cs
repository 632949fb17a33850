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
    /// <summary>The exit code of the standalone server when the task store cannot be opened at start.</summary>
    public const int UnavailableExitCode = 3;

    /// <summary>The provider names <see cref="McpTaskOptions.Provider"/> takes.</summary>
    public static IReadOnlyList<string> Providers { get; } = ["SQLite", "PostgreSQL", "SqlServer"];

    /// <summary>The Linq2Db provider name for <paramref name="provider"/>, or null when it is not one of <see cref="Providers"/>.</summary>
    internal static string? ProviderFor(string? provider) => provider?.ToLowerInvariant() switch
    {
        "sqlite" => ProviderName.SQLiteMS,
        "postgresql" or "postgres" => ProviderName.PostgreSQL,
        "sqlserver" => ProviderName.SqlServer,
        _ => null,
    };

    /// <summary>The connection string Akka.Persistence uses: <see cref="McpTaskOptions.ConnectionString"/>, or the SQLite file under the data folder.</summary>
    internal static string ConnectionString(McpTaskOptions options) =>
        options.ConnectionString ?? $"Data Source={Path.GetFullPath(Path.Combine(options.DataFolder, "tasks.db"))}";

    internal static string Provider(McpTaskOptions options) =>
        options.ConnectionString is null ? ProviderName.SQLiteMS : ProviderFor(options.Provider)!;

    /// <summary>
    /// Creates the data folder (for SQLite) and opens one connection to the store within <see cref="McpTaskOptions.StoreTimeout"/>.
    /// Returns null when it could, or one line saying why not.
    /// </summary>
    public static async Task<string?> CheckAsync(McpTaskOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            options.Validate();
            PrepareSqlite(options);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.StoreTimeout);
            await using var connection = new DataConnection(new DataOptions().UseConnectionString(Provider(options), ConnectionString(options)));
            await connection.ExecuteAsync("SELECT 1", timeout.Token).ConfigureAwait(false);
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"the task store ({Describe(options)}) did not answer within {options.StoreTimeout.TotalSeconds:0.#} s";
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return $"the task store ({Describe(options)}) cannot be opened: {ex.GetBaseException().Message}";
        }
    }

    /// <summary>
    /// Makes the SQLite file ready: its folder, and write-ahead logging, so that the journal's concurrent writes and the
    /// readers of recovering tasks do not wait on each other's locks (the journal mode is kept in the file).
    /// </summary>
    internal static void PrepareSqlite(McpTaskOptions options)
    {
        if (options.ConnectionString is not null) return;
        Directory.CreateDirectory(Path.GetFullPath(options.DataFolder));
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection(ConnectionString(options));
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        command.ExecuteNonQuery();
    }

    private static string Describe(McpTaskOptions options) =>
        options.ConnectionString is null ? $"SQLite file {Path.Combine(options.DataFolder, "tasks.db")}" : options.Provider;
}
