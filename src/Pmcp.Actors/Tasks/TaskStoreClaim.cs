namespace Pmcp.Actors.Tasks;

/// <summary>
/// A single-node server's hold on its SQLite task store: an exclusive lock on <c>tasks.db.lock</c> beside the file, held
/// while the server runs and released by the operating system when the process ends (also when it is killed), so no
/// stale lock is ever left. A single node believes it alone owns the tasks in its store: a second one on the same file
/// would find the first one's running tasks unfinished and report them failed, and both would write the same
/// persistence ids. So the second is refused at start (<see cref="TaskStore.CheckAsync"/>: one line, exit code
/// <see cref="TaskStore.UnavailableExitCode"/>). Nodes of one cluster share a store by design and take no claim.
/// </summary>
internal sealed class TaskStoreClaim : IDisposable
{
    private readonly FileStream _lock;

    private TaskStoreClaim(FileStream lockFile) => _lock = lockFile;

    /// <summary>The claim, or null with <paramref name="inUse"/> saying (in one line) that another server holds it.</summary>
    public static TaskStoreClaim? TryTake(McpTaskOptions options, out string inUse)
    {
        var path = TaskStore.SqliteFile(options) + ".lock";
        inUse = "";
        try
        {
            return new TaskStoreClaim(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException) when (File.Exists(path))
        {
            inUse = $"the task store (SQLite file {TaskStore.SqliteFile(options)}) is in use by another running server; give each server its own Pmcp:Tasks:DataFolder, or run them as one cluster";
            return null;
        }
    }

    public void Dispose() => _lock.Dispose();
}
