using Newtonsoft.Json.Linq;
using Pmcp.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Tasks;

/// <summary>2025-11-25 tasks over a real WebSocket: <c>params.task</c> makes a call a task; tasks/get, result, list and cancel.</summary>
public sealed class TasksLegacyTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Initialize_AnnouncesTasks_AndToolsListShowsEachToolsTaskSupport()
    {
        await using var server = await TaskServers.StartAsync(_data.Path, output);
        await using var client = await server.ConnectAsync(initialize: false);

        var init = await client.InitializeAsync();
        var tools = (await client.RequestAsync("tools/list")).EnsureSuccess().Result!["tools"]!.ToDictionary(t => (string)t["name"]!);

        Assert.NotNull(init.Result!["capabilities"]!["tasks"]!["requests"]!["tools"]!["call"]);
        Assert.Equal("required", (string?)tools["quick"]["execution"]!["taskSupport"]);
        Assert.Equal("optional", (string?)tools["hold"]["execution"]!["taskSupport"]);
        Assert.Null(tools["echo"]["execution"]); // forbidden: the field is left out
    }

    [Fact]
    public async Task TaskAugmentedCall_AnswersWithTheTask_AndItsResultListAndStatusFollow()
    {
        await using var server = await TaskServers.StartAsync(_data.Path, output);
        await using var client = await server.ConnectAsync();

        var created = (await client.RequestAsync("tools/call", new JObject { ["name"] = "quick", ["task"] = new JObject { ["ttl"] = 60000 } }, TaskServers.Slow)).EnsureSuccess();
        var taskId = (string)created.Result!["task"]!["taskId"]!;
        var result = (await client.RequestAsync("tasks/result", new JObject { ["taskId"] = taskId })).EnsureSuccess();
        var get = (await client.RequestAsync("tasks/get", new JObject { ["taskId"] = taskId })).EnsureSuccess();
        var list = (await client.RequestAsync("tasks/list")).EnsureSuccess();

        Assert.Equal(60000, (long)created.Result["task"]!["ttl"]!);
        Assert.Equal("done", result.ToolText());
        Assert.Equal(taskId, (string?)result.Result!["_meta"]!["io.modelcontextprotocol/related-task"]!["taskId"]);
        Assert.Equal("completed", (string?)get.Result!["status"]);
        Assert.Contains(taskId, list.Result!["tasks"]!.Select(t => (string?)t["taskId"]));
    }

    [Fact]
    public async Task ToolThatRequiresATask_CalledWithoutOne_IsMethodNotFound_AndAToolThatForbidsOne_Too()
    {
        await using var server = await TaskServers.StartAsync(_data.Path, output);
        await using var client = await server.ConnectAsync();

        var required = await client.RequestAsync("tools/call", new JObject { ["name"] = "quick" });
        var forbidden = await client.RequestAsync("tools/call", new JObject { ["name"] = "echo", ["arguments"] = new JObject { ["text"] = "x" }, ["task"] = new JObject() });
        var plain = await client.CallToolAsync("echo", new { text = "still a call" });

        Assert.Equal(-32601, required.ErrorCode);
        Assert.Equal(-32601, forbidden.ErrorCode);
        Assert.Equal("still a call", plain.ToolText());
    }

    [Fact]
    public async Task AnotherSessionsTaskId_IsAnsweredAsUnknown_LikeAnIdNobodyMade_WithoutItsData()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gate.SetResult();
        await using var server = await TaskServers.StartAsync(_data.Path, output, gate);
        await using var owner = await server.ConnectAsync();
        await using var stranger = await server.ConnectAsync();
        var taskId = (string)(await owner.RequestAsync("tools/call", new JObject { ["name"] = "hold", ["task"] = new JObject() })).EnsureSuccess().Result!["task"]!["taskId"]!;
        Assert.Equal("released", (await owner.RequestAsync("tasks/result", new JObject { ["taskId"] = taskId })).ToolText());

        var foreignGet = await stranger.RequestAsync("tasks/get", new JObject { ["taskId"] = taskId });
        var foreignResult = await stranger.RequestAsync("tasks/result", new JObject { ["taskId"] = taskId });
        var foreignCancel = await stranger.RequestAsync("tasks/cancel", new JObject { ["taskId"] = taskId });
        var unknown = await stranger.RequestAsync("tasks/get", new JObject { ["taskId"] = "no-such-task" });
        var strangersList = (await stranger.RequestAsync("tasks/list")).EnsureSuccess();

        Assert.All([foreignGet, foreignResult, foreignCancel, unknown], answer => Assert.Equal(-32602, answer.ErrorCode));
        Assert.DoesNotContain("released", foreignResult.Raw, StringComparison.Ordinal);
        Assert.Equal($"Unknown task: {taskId}", (string?)foreignGet.Error!["message"]);
        Assert.Empty(strangersList.Result!["tasks"]!);
    }

    [Fact]
    public async Task CancellingARunningTask_CancelsIt_AndCancellingAFinishedTask_IsInvalidParams()
    {
        await using var server = await TaskServers.StartAsync(_data.Path, output); // the gate stays shut: hold runs until cancelled
        await using var client = await server.ConnectAsync();
        var taskId = (string)(await client.RequestAsync("tools/call", new JObject { ["name"] = "hold", ["task"] = new JObject() })).EnsureSuccess().Result!["task"]!["taskId"]!;

        var cancel = (await client.RequestAsync("tasks/cancel", new JObject { ["taskId"] = taskId })).EnsureSuccess();
        var get = (await client.RequestAsync("tasks/get", new JObject { ["taskId"] = taskId })).EnsureSuccess();
        var again = await client.RequestAsync("tasks/cancel", new JObject { ["taskId"] = taskId });
        var missingId = await client.RequestAsync("tasks/get", new JObject());

        Assert.Equal("cancelled", (string?)cancel.Result!["status"]);
        Assert.Equal("cancelled", (string?)get.Result!["status"]);
        Assert.Equal(-32602, again.ErrorCode);
        Assert.Contains("already cancelled", (string?)again.Error!["message"]);
        Assert.Equal(-32602, missingId.ErrorCode);
    }
}
