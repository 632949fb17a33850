namespace Pmcp.Actors.Tasks;

/// <summary>Which database keeps the tasks (<see cref="McpTaskOptions.Provider"/>, SQLite when no connection string is given).</summary>
internal enum TaskStoreKind
{
    Sqlite,
    PostgreSql,
    SqlServer,
}
