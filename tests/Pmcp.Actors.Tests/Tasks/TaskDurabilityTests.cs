using Newtonsoft.Json.Linq;
using Pmcp.Actors.Tests.Loopback;
using Pmcp.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Tasks;

/// <summary>
/// Tasks outlive their server: a second server on the same SQLite file (a restart) answers tasks/get with the truth — a
/// finished task keeps its result, a task cut off mid-run is failed, or run again when its tool is idempotent. And a
/// store that cannot be opened, or that another running single-node server holds, stops the standalone server at start
/// with one line and exit code 3.
/// </summary>
public sealed class TaskDurabilityTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task FinishedTask_IsStillThere_WithItsResult_AfterARestart()
    {
        string taskId;
        await using (var first = await TaskServers.StartAsync(_data.Path, output))
        await using (var client = await first.ConnectAsync(initialize: false))
        {
            taskId = (string)(await client.RequestAsync("tools/call", TaskServers.WithTasks(new JObject { ["name"] = "quick" }), TaskServers.Slow)).EnsureSuccess().Result!["taskId"]!;
            await TaskServers.AwaitStatusAsync(client, taskId, "completed");
        }

        await using var second = await TaskServers.StartAsync(_data.Path, output);
        await using var later = await second.ConnectAsync(initialize: false);
        var task = await TaskServers.AwaitStatusAsync(later, taskId, "completed");

        Assert.Equal("done", (string?)task["result"]!["content"]![0]!["text"]);
    }

    [Fact]
    public async Task TaskRunningWhenItsServerStopped_IsFailed_AfterARestart_AndAnIdempotentOne_RunsAgain()
    {
        string cutOff, idempotent;
        await using (var first = await TaskServers.StartAsync(_data.Path, output)) // its gate never opens
        await using (var client = await first.ConnectAsync(initialize: false))
        {
            cutOff = (string)(await client.RequestAsync("tools/call", TaskServers.WithTasks(new JObject { ["name"] = "hold" }), TaskServers.Slow)).EnsureSuccess().Result!["taskId"]!;
            idempotent = (string)(await client.RequestAsync("tools/call", TaskServers.WithTasks(new JObject { ["name"] = "again" }), TaskServers.Slow)).EnsureSuccess().Result!["taskId"]!;
            Assert.Equal("working", (string?)(await TaskServers.AwaitStatusAsync(client, cutOff, "working"))["status"]);
        }

        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        await using var second = await TaskServers.StartAsync(_data.Path, output, open);
        await using var later = await second.ConnectAsync(initialize: false);
        var failed = await TaskServers.AwaitStatusAsync(later, cutOff, "failed");
        var rerun = await TaskServers.AwaitStatusAsync(later, idempotent, "completed");

        Assert.Equal(-32603, (int?)failed["error"]!["code"]);
        Assert.Contains("stopped before the task finished", (string?)failed["error"]!["message"]);
        Assert.Null(failed["result"]);
        Assert.Equal("ran again", (string?)rerun["result"]!["content"]![0]!["text"]);
    }

    [Fact]
    public async Task SecondStandaloneServer_OnTheStoreOfARunningOne_ExitsWithCode3AndOneLine_AndStartsOnceTheFirstIsGone()
    {
        var dll = ServerProcessTests.ServerProcess.StandaloneDll;
        string[] args = ["--port", "0", $"--Pmcp:Tasks:DataFolder={_data.Path}"];
        var first = new ServerProcessTests.ServerProcess(dll, args);
        ServerProcessTests.ServerProcess? third = null;
        try
        {
            var url = await first.ListeningUrl.Within(TimeSpan.FromSeconds(60), "the first server's 'listening on' line");
            using var late = new ServerProcessTests.ServerProcess(dll, args);
            var exitCode = await late.Exited.Within(TimeSpan.FromSeconds(60), "the second server to give up on the store the first holds");
            await using (var client = await McpTestClient.ConnectAsync(url))
            {
                await client.InitializeAsync();
                Assert.Equal("still here", (await client.CallToolAsync("echo", new { text = "still here" })).ToolText()); // the first one goes on
            }
            first.Dispose(); // killed: the operating system drops its hold on the store
            third = new ServerProcessTests.ServerProcess(dll, args);
            await third.ListeningUrl.Within(TimeSpan.FromSeconds(60), "a server on the store once its holder is gone");

            output.WriteLine(late.Output);
            Assert.Equal(3, exitCode);
            var errors = late.Output.Split('\n').Where(l => l.Contains("error:", StringComparison.Ordinal)).ToList();
            Assert.Single(errors);
            Assert.Contains("in use by another running server", errors[0], StringComparison.Ordinal);
            Assert.DoesNotContain("listening on", late.Output, StringComparison.Ordinal);
        }
        finally
        {
            output.WriteLine(first.Output);
            first.Dispose();
            third?.Dispose();
        }
    }

    [Fact]
    public async Task StandaloneServer_WhoseTaskStoreCannotBeOpened_ExitsWithCode3AndOneLine()
    {
        Directory.CreateDirectory(_data.Path);
        var file = Path.Combine(_data.Path, "a-file");
        await File.WriteAllTextAsync(file, "not a folder");
        using var server = new ServerProcessTests.ServerProcess(ServerProcessTests.ServerProcess.StandaloneDll,
            ["--port", "0", "--Pmcp:Tasks:Enabled=true", $"--Pmcp:Tasks:DataFolder={Path.Combine(file, "data")}"]);

        var exitCode = await server.Exited.Within(TimeSpan.FromSeconds(60), "the server to give up on its task store");

        output.WriteLine(server.Output);
        Assert.Equal(3, exitCode);
        var errors = server.Output.Split('\n').Where(l => l.Contains("error:", StringComparison.Ordinal)).ToList();
        Assert.Single(errors);
        Assert.Contains("task store", errors[0], StringComparison.Ordinal);
        Assert.DoesNotContain("listening on", server.Output, StringComparison.Ordinal);
    }
}
