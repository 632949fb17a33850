using Newtonsoft.Json.Linq;
using Pmcp.Actors.Tests.Era2026;
using Pmcp.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Tasks;

/// <summary>
/// A tool that asks for its input before it becomes a task (InputBeforeTask, ToolContext.ContinueAsTaskAsync), over a
/// real WebSocket in 2026-07-28: the call is answered with InputRequiredResult rounds (never a taskId) until the tool has
/// its answers, then with a CreateTaskResult (never the rounds' requestState), and the task's result is built from
/// the answer given in the rounds. A client that takes no tasks gets the same tool's result in place.
/// </summary>
public sealed class TaskHandoffTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task AToolThatAsksFirst_IsAnsweredInputRequired_ThenWithATask_WhoseResultHasTheAnswer()
    {
        await using var server = await TaskServers.StartAsync(_data.Path, output);
        await using var client = await server.ConnectAsync(initialize: false);

        var round1 = (await client.RequestAsync("tools/call", ModernRequests.Params(Call(), ElicitingMeta(tasks: true)), TaskServers.Slow)).EnsureSuccess().Result!;
        var round2 = (await client.RequestAsync("tools/call", ModernRequests.Params(Retry(round1), ElicitingMeta(tasks: true)), TaskServers.Slow)).EnsureSuccess().Result!;
        var taskId = (string?)round2["taskId"];
        Assert.NotNull(taskId);
        var done = await TaskServers.AwaitStatusAsync(client, taskId, "completed");

        Assert.Equal("input_required", (string?)round1["resultType"]);
        Assert.Equal("elicitation/create", (string?)round1["inputRequests"]!["name"]!["method"]);
        Assert.Null(round1["taskId"]);
        Assert.Equal("task", (string?)round2["resultType"]);
        Assert.Null(round2["requestState"]);
        Assert.Null(round2["inputRequests"]);
        Assert.Equal("Hello, Ada", (string?)done["result"]!["content"]![0]!["text"]);
    }

    [Fact]
    public async Task AToolThatAsksFirst_CalledByAClientThatTakesNoTasks_AnswersInPlace()
    {
        await using var server = await TaskServers.StartAsync(_data.Path, output);
        await using var client = await server.ConnectAsync(initialize: false);

        var round1 = (await client.RequestAsync("tools/call", ModernRequests.Params(Call(), ElicitingMeta(tasks: false)), TaskServers.Slow)).EnsureSuccess().Result!;
        var round2 = (await client.RequestAsync("tools/call", ModernRequests.Params(Retry(round1), ElicitingMeta(tasks: false)), TaskServers.Slow)).EnsureSuccess().Result!;

        Assert.Equal("input_required", (string?)round1["resultType"]);
        Assert.Equal("complete", (string?)round2["resultType"]);
        Assert.Null(round2["taskId"]);
        Assert.Equal("Hello, Ada", (string?)round2["content"]![0]!["text"]);
    }

    private static JObject Call() => new() { ["name"] = "greet_later" };

    private static JObject Retry(JObject round1) => new()
    {
        ["name"] = "greet_later",
        ["inputResponses"] = new JObject { ["name"] = new JObject { ["action"] = "accept", ["content"] = new JObject { ["name"] = "Ada" } } },
        ["requestState"] = round1["requestState"],
    };

    /// <summary>A request's <c>_meta</c> that declares elicitation, and the tasks extension when <paramref name="tasks"/>.</summary>
    private static JObject ElicitingMeta(bool tasks)
    {
        var capabilities = new JObject { ["elicitation"] = new JObject() };
        if (tasks) capabilities["extensions"] = new JObject { ["io.modelcontextprotocol/tasks"] = new JObject() };
        return ModernRequests.Meta(capabilities);
    }
}
