using Newtonsoft.Json.Linq;
using Pmcp.Actors.Tests.Era2026;
using Pmcp.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Tasks;

/// <summary>
/// The 2026-07-28 tasks extension over a real WebSocket that never sends initialize: a request that declares the
/// extension gets a task for a tool that supports one; tasks/get inlines the result, the error or what the task waits
/// for; tasks/update answers that; tasks/cancel is an idempotent empty ack.
/// </summary>
public sealed class TasksModernTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task DeclaringTheExtension_MakesACallATask_WhoseResultTasksGetInlines()
    {
        await using var server = await TaskServers.StartAsync(_data.Path, output);
        await using var client = await server.ConnectAsync(initialize: false);

        var discover = (await client.RequestAsync("server/discover", ModernRequests.Params())).EnsureSuccess();
        var created = (await client.RequestAsync("tools/call", TaskServers.WithTasks(new JObject { ["name"] = "quick" }), TaskServers.Slow)).EnsureSuccess();
        var taskId = (string)created.Result!["taskId"]!;
        var done = await TaskServers.AwaitStatusAsync(client, taskId, "completed");

        Assert.NotNull(discover.Result!["capabilities"]!["extensions"]!["io.modelcontextprotocol/tasks"]);
        Assert.Equal("task", (string?)created.Result["resultType"]);
        Assert.Equal("working", (string?)created.Result["status"]);
        Assert.True((long)created.Result["ttlMs"]! > 0);
        Assert.Null(created.Result["task"]); // flat, not the 2025 envelope
        Assert.Equal("complete", (string?)done["resultType"]);
        Assert.Equal("done", (string?)done["result"]!["content"]![0]!["text"]);
    }

    [Fact]
    public async Task AToolThatRequiresATask_WithoutTheExtension_IsMissingCapability_NamingIt()
    {
        await using var server = await TaskServers.StartAsync(_data.Path, output);
        await using var client = await server.ConnectAsync(initialize: false);

        var call = await client.RequestAsync("tools/call", ModernRequests.Params(new JObject { ["name"] = "quick" }));
        var get = await client.RequestAsync("tasks/get", ModernRequests.Params(new JObject { ["taskId"] = "x" }));
        var optional = await client.RequestAsync("tools/call", ModernRequests.Params(new JObject { ["name"] = "echo", ["arguments"] = new JObject { ["text"] = "sync" } }));

        Assert.Equal(-32021, call.ErrorCode);
        Assert.NotNull(call.Error!["data"]!["requiredCapabilities"]!["extensions"]!["io.modelcontextprotocol/tasks"]);
        Assert.Equal(-32021, get.ErrorCode);
        Assert.Equal("sync", optional.ToolText());
    }

    [Fact]
    public async Task CancelOfAFinishedTask_IsTheSameEmptyAck_AndTheRemovedMethodsAreUnknown()
    {
        await using var server = await TaskServers.StartAsync(_data.Path, output);
        await using var client = await server.ConnectAsync(initialize: false);
        var taskId = (string)(await client.RequestAsync("tools/call", TaskServers.WithTasks(new JObject { ["name"] = "quick" }), TaskServers.Slow)).EnsureSuccess().Result!["taskId"]!;
        await TaskServers.AwaitStatusAsync(client, taskId, "completed");

        var cancel = (await client.RequestAsync("tasks/cancel", TaskServers.WithTasks(new JObject { ["taskId"] = taskId }))).EnsureSuccess();
        var after = await TaskServers.AwaitStatusAsync(client, taskId, "completed");
        var result = await client.RequestAsync("tasks/result", TaskServers.WithTasks(new JObject { ["taskId"] = taskId }));
        var list = await client.RequestAsync("tasks/list", TaskServers.WithTasks());
        var unknown = await client.RequestAsync("tasks/get", TaskServers.WithTasks(new JObject { ["taskId"] = "no-such-task" }));

        Assert.Equal(new JObject { ["resultType"] = "complete" }, cancel.Result, JToken.EqualityComparer);
        Assert.Equal("done", (string?)after["result"]!["content"]![0]!["text"]);
        Assert.Equal(-32601, result.ErrorCode);
        Assert.Equal(-32601, list.ErrorCode);
        Assert.Equal(-32602, unknown.ErrorCode);
    }

    [Fact]
    public async Task ATaskThatAsksItsClient_IsInputRequired_UntilTasksUpdateAnswers()
    {
        await using var server = await TaskServers.StartAsync(_data.Path, output);
        await using var client = await server.ConnectAsync(initialize: false);
        var taskId = (string)(await client.RequestAsync("tools/call", TaskServers.WithTasks(new JObject { ["name"] = "ask" }), TaskServers.Slow)).EnsureSuccess().Result!["taskId"]!;

        var waiting = await TaskServers.AwaitStatusAsync(client, taskId, "input_required");
        var (key, request) = ((JObject)waiting["inputRequests"]!).Properties().Select(p => (p.Name, (JObject)p.Value)).Single();
        var update = (await client.RequestAsync("tasks/update", TaskServers.WithTasks(new JObject
        {
            ["taskId"] = taskId,
            ["inputResponses"] = new JObject { [key] = new JObject { ["action"] = "accept", ["content"] = new JObject { ["ok"] = true } } },
        }))).EnsureSuccess();
        var done = await TaskServers.AwaitStatusAsync(client, taskId, "completed");
        var badUpdate = await client.RequestAsync("tasks/update", TaskServers.WithTasks(new JObject { ["taskId"] = taskId, ["inputResponses"] = 5 }));

        Assert.Equal("elicitation/create", (string?)request["method"]);
        Assert.Equal("Go on?", (string?)request["params"]!["message"]);
        Assert.Equal(new JObject { ["resultType"] = "complete" }, update.Result, JToken.EqualityComparer);
        Assert.Equal("answer: accept", (string?)done["result"]!["content"]![0]!["text"]);
        Assert.Equal(-32602, badUpdate.ErrorCode);
    }
}
