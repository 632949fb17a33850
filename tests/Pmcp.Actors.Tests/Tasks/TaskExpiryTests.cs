using Microsoft.Data.Sqlite;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Tasks;

/// <summary>
/// A task past its TTL is gone: tasks/get answers -32602 "Unknown task" (the documented answer for an unknown or expired
/// id), and nothing of it is left in the store: no row of any table of the SQLite file names it. The TTL comes from the
/// 2025-11-25 request (<c>params.task.ttl</c>), so the test waits seconds, not the default hour.
/// </summary>
public sealed class TaskExpiryTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task ATaskPastItsTtl_IsUnknown_LikeAnIdNobodyMade_AndItsRowsAreGoneFromTheStore()
    {
        await using var server = await TaskServers.StartAsync(_data.Path, output);
        await using var client = await server.ConnectAsync();
        var taskId = await TaskServers.CompletedShortLivedTaskAsync(client);
        Assert.True(RowsOf(taskId) >= 2, "the created and ended events were stored: " + Dump());

        var gone = await TaskServers.AwaitExpiredAsync(client, taskId);
        // The rows go once the delete the expiry started is through; the unknown answer does not wait for it.
        await Deadline.UntilAsync(() => Task.FromResult(RowsOf(taskId) == 0), () => $"the rows of task {taskId} to go: {Dump()}", TimeSpan.FromSeconds(60),
            pollInterval: TimeSpan.FromMilliseconds(200));

        Assert.Equal(-32602, gone.ErrorCode);
        Assert.Contains("Unknown task", (string?)gone.Error!["message"]);
        // Asked again (its entity made anew, replaying nothing), it is still unknown, and it wrote nothing back.
        Assert.Equal(-32602, (await client.RequestAsync("tasks/get", new JObject { ["taskId"] = taskId }, TaskServers.Slow)).ErrorCode);
        Assert.Equal(0, RowsOf(taskId));
    }

    /// <summary>Rows, in any table of the store, whose text columns mention <paramref name="taskId"/>.</summary>
    private int RowsOf(string taskId)
    {
        using var connection = Open();
        var count = 0;
        foreach (var (table, columns) in Tables(connection))
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT COUNT(*) FROM \"{table}\" WHERE " + string.Join(" OR ", columns.Select(c => $"CAST(\"{c}\" AS TEXT) LIKE $id"));
            command.Parameters.AddWithValue("$id", "%" + taskId + "%");
            count += Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }
        return count;
    }

    private string Dump()
    {
        using var connection = Open();
        var text = new System.Text.StringBuilder();
        foreach (var (table, columns) in Tables(connection))
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM \"{table}\"";
            using var reader = command.ExecuteReader();
            text.Append('\n').Append(table).Append(" (").Append(string.Join(", ", Enumerable.Range(0, reader.FieldCount).Select(reader.GetName))).Append("):");
            while (reader.Read())
                text.Append("\n  ").Append(string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetFieldType(i) == typeof(byte[]) ? "<blob>" : reader.GetValue(i)?.ToString())));
        }
        return text.ToString();
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection($"Data Source={Path.Combine(_data.Path, "tasks.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        return connection;
    }

    private static List<(string Table, List<string> Columns)> Tables(SqliteConnection connection)
    {
        var tables = new List<(string, List<string>)>();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var table = reader.GetString(0);
            using var info = connection.CreateCommand();
            info.CommandText = $"SELECT name FROM pragma_table_info('{table}')";
            using var columns = info.ExecuteReader();
            var names = new List<string>();
            while (columns.Read()) names.Add(columns.GetString(0));
            tables.Add((table, names));
        }
        return tables;
    }
}
