using Npgsql;

namespace Pmcp.Actors.Tasks;

/// <summary>
/// A single-node server's claim on a PostgreSQL task store: a session-level advisory lock, taken with
/// <c>pg_try_advisory_lock</c> on a connection of its own that stays open for the life of the process. PostgreSQL drops
/// the lock when that session ends, so a server that is killed leaves no claim behind (its backend sees the socket
/// close). The connection bypasses the pool: a pooled connection returned to the pool would keep its session, and the
/// lock with it, after the claim was let go.
/// </summary>
internal static class PostgresStoreLock
{
    // Advisory locks are per database; the key also names the schema the journal lives in (current_schema(), the first of
    // the connection's search path), so two stores in two schemas of one database do not refuse each other.
    private const string TryLock = "SELECT pg_try_advisory_lock(hashtextextended('pmcp-actors task store ' || current_schema(), 0))";

    /// <summary>The open connection that holds the lock, or null when another session holds it.</summary>
    public static NpgsqlConnection? TryTake(McpTaskOptions options)
    {
        var seconds = (int)Math.Clamp(Math.Ceiling(options.StoreTimeout.TotalSeconds), 1, 1024);
        var builder = new NpgsqlConnectionStringBuilder(options.ConnectionString) { Pooling = false, Timeout = seconds, CommandTimeout = seconds };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            connection.Open();
            using var command = new NpgsqlCommand(TryLock, connection);
            if (command.ExecuteScalar() is true) return connection;
            connection.Dispose();
            return null;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }
}
