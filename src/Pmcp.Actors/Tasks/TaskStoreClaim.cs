namespace Pmcp.Actors.Tasks;

/// <summary>
/// A single-node server's hold on its task store, held while the server runs and released when the process ends (also
/// when it is killed), so no stale claim is ever left. A single node believes it alone owns the tasks in its store: a
/// second one on the same store would find the first one's running tasks unfinished and report them failed, and both
/// would write the same persistence ids. So the second is refused at start (<see cref="TaskStore.CheckAsync"/>: one
/// line, exit code <see cref="TaskStore.UnavailableExitCode"/>). Nodes of one cluster share a store by design and take
/// no claim. SQLite: an exclusive lock on <c>tasks.db.lock</c> beside the file. PostgreSQL: a session-level advisory
/// lock on a connection of its own (<see cref="PostgresStoreLock"/>). SQL Server: none (untested here, see docs/tasks.md).
/// </summary>
internal sealed class TaskStoreClaim : IDisposable
{
    private readonly IDisposable? _hold;

    private TaskStoreClaim(IDisposable? hold) => _hold = hold;

    /// <summary>
    /// The claim, or null with <paramref name="inUse"/> saying (in one line) that another server holds it. Throws what
    /// the store's driver throws when the store cannot be reached.
    /// </summary>
    public static TaskStoreClaim? TryTake(McpTaskOptions options, out string inUse)
    {
        inUse = "";
        switch (TaskStore.KindOf(options))
        {
            case TaskStoreKind.Sqlite when options.ConnectionString is null:
                var path = TaskStore.SqliteFile(options) + ".lock";
                try
                {
                    return new TaskStoreClaim(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
                }
                catch (IOException) when (File.Exists(path))
                {
                    inUse = $"the task store (SQLite file {TaskStore.SqliteFile(options)}) is in use by another running server; give each server its own Pmcp:Tasks:DataFolder, or run them as one cluster";
                    return null;
                }
            case TaskStoreKind.PostgreSql:
                if (PostgresStoreLock.TryTake(options) is { } connection) return new TaskStoreClaim(connection);
                inUse = $"the task store ({TaskStore.Describe(options)}) is in use by another running server; give each server its own database (or schema), or run them as one cluster";
                return null;
            default:
                return new TaskStoreClaim(null);
        }
    }

    public void Dispose() => _hold?.Dispose();
}
