using Akka.Actor;
using Pmcp.Actors.Messages;
using Pmcp.Actors.Runtime;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Tests.Support;
using Pmcp.Protocol;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Loopback;

public sealed class ToolCallTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ToolsCall_ReturnsIsErrorResultWithMessage_WhenToolThrows()
    {
        await using var server = await TestServer.StartAsync(
            mcp => mcp
                .Tool("explode", (_, _) => throw new InvalidOperationException("boom"))
                .Tool("explode-later", async (_, ctx) =>
                {
                    await Task.Yield();
                    throw new InvalidOperationException("boom later");
                }),
            output: output);
        await using var client = await server.ConnectAsync();

        var first = (await client.CallToolAsync("explode")).EnsureSuccess();
        Assert.True(first.IsToolError, first.Raw);
        Assert.Contains("boom", first.FirstText, StringComparison.Ordinal);

        var again = (await client.CallToolAsync("explode")).EnsureSuccess();
        Assert.True(again.IsToolError, again.Raw);
        Assert.Contains("boom", again.FirstText, StringComparison.Ordinal);

        var later = (await client.CallToolAsync("explode-later")).EnsureSuccess();
        Assert.True(later.IsToolError, later.Raw);
        Assert.Contains("boom later", later.FirstText, StringComparison.Ordinal);

        Assert.Equal("after the boom", (await client.CallToolAsync("echo", new { text = "after the boom" })).ToolText());
    }

    [Fact]
    public async Task ToolsCall_IsNeverAnswered_WhenClientCancelsIt_AndServerStaysUsable()
    {
        await using var server = await TestServer.StartAsync(output: output);
        await using var client = await server.ConnectAsync();
        var system = server.ActorSystem;

        var sleep = await client.StartToolCallAsync("sleep", new { ms = 10_000 });
        await WaitForRunningCallsAsync(system, 1);

        await client.NotifyAsync("notifications/cancelled", new JObject { ["requestId"] = sleep.Id, ["reason"] = "changed my mind" });

        // The call stops running as soon as the sleep sees its token cancelled, long before its 10 s.
        await WaitForRunningCallsAsync(system, 0);
        (await client.PingAsync()).EnsureSuccess();
        Assert.Equal("usable", (await client.CallToolAsync("echo", new { text = "usable" })).ToolText());

        var idKey = WireMessage.IdKey(sleep.Id);
        Assert.DoesNotContain(client.Received, m => m.Id is { } id && WireMessage.IdKey(id) == idKey);
        Assert.False(sleep.Response.IsCompleted);
    }

    [Fact]
    public async Task ToolsCall_SendsIncreasingProgressWithTheTokenBeforeTheResult_WhenProgressTokenIsGiven()
    {
        await using var server = await TestServer.StartAsync(output: output);
        await using var client = await server.ConnectAsync();

        var call = await client.StartToolCallAsync("sleep", new { ms = 500 }, progressToken: "p1");
        var result = await call.ResponseAsync();

        Assert.Equal("slept 500 ms", result.ToolText());
        var progress = client.Received.Where(m => m.Method == "notifications/progress").ToList();
        Assert.NotEmpty(progress);
        Assert.All(progress, p =>
        {
            Assert.Equal(JTokenType.String, p.Params?["progressToken"]?.Type);
            Assert.Equal("p1", (string?)p.Params?["progressToken"]);
            Assert.True(p.Sequence < result.Sequence, $"progress {p.Raw} came after the result");
        });
        var values = progress.Select(p => (double)p.Params!["progress"]!).ToList();
        Assert.Equal(values.Order(), values);
        Assert.Equal(values.Count, values.Distinct().Count());
        Assert.Equal(500d, (double?)progress[^1].Params!["total"]);
    }

    [Fact]
    public async Task ToolsCall_SendsNoProgress_WhenNoProgressTokenIsGiven()
    {
        await using var server = await TestServer.StartAsync(output: output);
        await using var client = await server.ConnectAsync();

        Assert.Equal("slept 200 ms", (await client.CallToolAsync("sleep", new { ms = 200 })).ToolText());

        Assert.DoesNotContain(client.Received, m => m.Method is not null);
    }

    [Fact]
    public async Task ToolsCall_EchoesNumericProgressToken_WhenTokenIsAnInteger()
    {
        await using var server = await TestServer.StartAsync(output: output);
        await using var client = await server.ConnectAsync();

        var call = await client.StartToolCallAsync("sleep", new { ms = 100 }, progressToken: 42);
        await call.ResponseAsync();

        var progress = client.Received.Where(m => m.Method == "notifications/progress").ToList();
        Assert.NotEmpty(progress);
        Assert.All(progress, p => Assert.Contains("\"progressToken\":42", p.Raw, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ToolsCall_ReturnsInvalidParams_WhenToolIsUnknown()
    {
        await using var server = await TestServer.StartAsync(output: output);
        await using var client = await server.ConnectAsync();

        var response = await client.CallToolAsync("no-such-tool");

        Assert.Equal(-32602, response.ErrorCode);
        Assert.Contains("no-such-tool", (string?)response.Error?["message"], StringComparison.Ordinal);
    }

    /// <summary>Polls the router's count of calls running user code until it is <paramref name="expected"/>.</summary>
    private static async Task WaitForRunningCallsAsync(ActorSystem system, int expected)
    {
        var running = -1;
        await Deadline.UntilAsync(async () =>
        {
            running = (await system.ActorSelection("/user/pmcp-tools").Ask<ToolRouterProtocol.WorkerCount>(ToolRouterProtocol.GetWorkerCount.Instance, Deadline.Default)).Count;
            return running == expected;
        }, () => $"{running} calls running, expected {expected}");
    }
}
