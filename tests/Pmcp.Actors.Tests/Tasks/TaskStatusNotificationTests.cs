using Newtonsoft.Json.Linq;
using Pmcp.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Tasks;

/// <summary>
/// A 2025-11-25 session is told, over its own socket, each change of a task it made: <c>notifications/tasks/status</c>
/// with the task as <c>tasks/get</c> shows it (no related-task <c>_meta</c>), once it has ended and it is stored.
/// </summary>
public sealed class TaskStatusNotificationTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task TheSessionThatMadeATask_IsToldWhenItEnds_WithTheTaskAsTasksGetShowsIt()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await TaskServers.StartAsync(_data.Path, output, gate);
        await using var client = await server.ConnectAsync();
        var created = (await client.RequestAsync("tools/call", new JObject { ["name"] = "hold", ["task"] = new JObject() }, TaskServers.Slow)).EnsureSuccess();
        var taskId = (string)created.Result!["task"]!["taskId"]!;

        gate.SetResult();
        var note = await NextStatusAsync(client);
        var get = (await client.RequestAsync("tasks/get", new JObject { ["taskId"] = taskId }, TaskServers.Slow)).EnsureSuccess();

        Assert.Equal(taskId, (string?)note.Params!["taskId"]);
        Assert.Equal("completed", (string?)note.Params["status"]);
        Assert.Null(note.Params["_meta"]);
        foreach (var field in new[] { "taskId", "status", "createdAt", "lastUpdatedAt", "ttl", "pollInterval" })
            Assert.True(JToken.DeepEquals(get.Result![field], note.Params[field]), $"{field}: tasks/get {get.Result[field]}, notification {note.Params[field]}");
    }

    [Fact]
    public async Task ACancelledTask_IsToldCancelled_AndAnotherSession_IsToldNothing()
    {
        await using var server = await TaskServers.StartAsync(_data.Path, output); // its gate never opens
        await using var maker = await server.ConnectAsync();
        await using var other = await server.ConnectAsync();
        var taskId = (string)(await maker.RequestAsync("tools/call", new JObject { ["name"] = "hold", ["task"] = new JObject() }, TaskServers.Slow))
            .EnsureSuccess().Result!["task"]!["taskId"]!;

        (await maker.RequestAsync("tasks/cancel", new JObject { ["taskId"] = taskId }, TaskServers.Slow)).EnsureSuccess();
        var note = await NextStatusAsync(maker);

        Assert.Equal("cancelled", (string?)note.Params!["status"]);
        // The maker was told already; a notification meant for it alone would reach the other session about as soon.
        await Assert.ThrowsAnyAsync<Exception>(() => other.ReadNotificationAsync(TimeSpan.FromSeconds(1)));
    }

    private static async Task<WireMessage> NextStatusAsync(McpTestClient client)
    {
        while (true)
        {
            var note = await client.ReadNotificationAsync(TaskServers.Slow);
            if (note.Method == "notifications/tasks/status") return note;
        }
    }
}
