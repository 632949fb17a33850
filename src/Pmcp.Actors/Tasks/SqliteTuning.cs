using System.Data.Common;
using LinqToDB.Interceptors;

namespace Pmcp.Actors.Tasks;

/// <summary>
/// Sets SQLite's busy timeout on each connection to the task store as it opens. Without one SQLite fails a write that
/// meets another connection's lock at once, and Microsoft.Data.Sqlite retries it only every 150 ms: under concurrent
/// task creation (the journal writes from several connections) that made each write wait in 150 ms steps, and requests
/// ran into the store timeout. With it, SQLite itself waits for the lock, in steps of a few milliseconds, for as long as
/// a request waits for the store (<see cref="McpTaskOptions.StoreTimeout"/>).
/// </summary>
internal sealed class SqliteTuning(TimeSpan busyTimeout) : IConnectionInterceptor
{
    public static void Apply(DbConnection connection, TimeSpan busyTimeout)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragma(busyTimeout);
        command.ExecuteNonQuery();
    }

    public void ConnectionOpening(ConnectionEventData eventData, DbConnection connection)
    {
    }

    public Task ConnectionOpeningAsync(ConnectionEventData eventData, DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    public void ConnectionOpened(ConnectionEventData eventData, DbConnection connection) => Apply(connection, busyTimeout);

    public async Task ConnectionOpenedAsync(ConnectionEventData eventData, DbConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragma(busyTimeout);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string Pragma(TimeSpan busyTimeout) =>
        $"PRAGMA busy_timeout = {(long)Math.Min(busyTimeout.TotalMilliseconds, int.MaxValue)};";
}
