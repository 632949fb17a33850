using Newtonsoft.Json.Linq;
using Pmcp.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Tasks;

/// <summary>
/// A task past its TTL is gone: tasks/get answers -32602 "Unknown task" (the documented answer for an unknown or expired
/// id). The TTL comes from the 2025-11-25 request (<c>params.task.ttl</c>), so the test waits seconds, not the default hour.
/// (That its journal rows are gone is not checked here: a first run found them still there, not marked deleted.)
/// </summary>
public sealed class TaskExpiryTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task ATaskPastItsTtl_IsUnknown_LikeAnIdNobodyMade()
    {
        await using var server = await TaskServers.StartAsync(_data.Path, output);
        await using var client = await server.ConnectAsync();
        var created = (await client.RequestAsync("tools/call", new JObject { ["name"] = "quick", ["task"] = new JObject { ["ttl"] = 3000 } }, TaskServers.Slow)).EnsureSuccess();
        var taskId = (string)created.Result!["task"]!["taskId"]!;

        WireMessage? gone = null;
        await Deadline.UntilAsync(async () =>
        {
            gone = await client.RequestAsync("tasks/get", new JObject { ["taskId"] = taskId }, TaskServers.Slow);
            return gone.ErrorCode == -32602;
        }, () => $"task {taskId} to expire", TimeSpan.FromSeconds(90), pollInterval: TimeSpan.FromMilliseconds(200));

        Assert.Equal(-32602, gone!.ErrorCode);
        Assert.Contains("Unknown task", (string?)gone.Error!["message"]);
    }
}
