using Microsoft.Data.Sqlite;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Tasks;

/// <summary>
/// A task past its TTL is gone: tasks/get answers -32602 "Unknown task" (the documented answer for an unknown or expired
/// id), and its events are deleted from the store, so a restarted server does not bring it back. The TTL comes from the
/// 2025-11-25 request (<c>params.task.ttl</c>), so the test waits seconds, not the default hour.
/// </summary>
public sealed class TaskExpiryTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task ATaskPastItsTtl_IsUnknown_AndItsEventsAreDeletedFromTheStore()
    {
        await using var server = await TaskServers.StartAsync(_data.Path, output);
        await using var client = await server.ConnectAsync();
        var created = (await client.RequestAsync("tools/call", new JObject { ["name"] = "quick", ["task"] = new JObject { ["ttl"] = 3000 } }, TaskServers.Slow)).EnsureSuccess();
        var taskId = (string)created.Result!["task"]!["taskId"]!;
        var first = (await client.RequestAsync("tasks/get", new JObject { ["taskId"] = taskId }, TaskServers.Slow)).EnsureSuccess();
        Assert.Equal(taskId, (string?)first.Result!["taskId"]);
        Assert.True(StoredEvents(taskId) > 0, "the task's events are in the store while it lives");

        WireMessage? gone = null;
        await Eventually.TrueAsync(async () =>
        {
            gone = await client.RequestAsync("tasks/get", new JObject { ["taskId"] = taskId }, TaskServers.Slow);
            return gone.ErrorCode is not null;
        }, $"task {taskId} to expire", TimeSpan.FromSeconds(90));
        await Eventually.TrueAsync(() => Task.FromResult(StoredEvents(taskId) == 0), $"the events of task {taskId} to be deleted", TimeSpan.FromSeconds(60));

        Assert.Equal(-32602, gone!.ErrorCode);
        Assert.Contains("Unknown task", (string?)gone.Error!["message"]);
    }

    /// <summary>The task's events in the SQLite journal that are not marked deleted.</summary>
    private long StoredEvents(string taskId)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_data.Path, "tasks.db")};Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT * FROM journal WHERE persistence_id = $id";
        command.Parameters.AddWithValue("$id", "pmcp-task-" + taskId);
        using var reader = command.ExecuteReader();
        long live = 0;
        while (reader.Read())
        {
            var row = string.Join(", ", Enumerable.Range(0, reader.FieldCount).Select(i => $"{reader.GetName(i)}={reader.GetValue(i)}"));
            output.WriteLine(row);
            live++;
        }
        return live;
    }
}
