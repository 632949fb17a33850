using Newtonsoft.Json.Linq;
using Pmcp.Client.Tests.Support;
using Pmcp.Protocol;

namespace Pmcp.Client.Tests;

/// <summary>What the client does with what a server sends on its own: requests (answered by handlers, or method not found), cancellation of them, notifications and pings.</summary>
public sealed partial class WireTests
{
    [Fact]
    public async Task ServerRequests_AreAnsweredMethodNotFound_WhenNoHandlerIsRegistered()
    {
        var (client, connection, _) = await ConnectAsync();
        await using var _ = client;

        string[] methods = [McpMethods.SamplingCreateMessage, McpMethods.ElicitationCreate, McpMethods.RootsList];
        for (var i = 0; i < methods.Length; i++) await connection.RequestAsync($"s{i}", methods[i], new JObject());
        var answers = new List<JObject>();
        for (var i = 0; i < methods.Length; i++) answers.Add(await connection.ReceiveAsync());

        Assert.Equal(["s0", "s1", "s2"], answers.Select(a => (string?)a["id"]).Order());
        Assert.All(answers, a => Assert.Equal(JsonRpcErrorCodes.MethodNotFound, (int)a["error"]!["code"]!));
    }

    [Fact]
    public async Task ServerRequests_AreAnsweredByHandlers_AndHandlersDeclareTheirCapabilities()
    {
        var (client, connection, initialize) = await ConnectAsync(beforeInitialize: c =>
        {
            c.SetRequestHandler(McpMethods.SamplingCreateMessage, (p, _) => Task.FromResult<JToken>(new JObject
            {
                ["role"] = "assistant",
                ["content"] = new JObject { ["type"] = "text", ["text"] = "sampled: " + (string?)p!["messages"]![0]!["content"]!["text"] },
                ["model"] = "test-model",
            }));
            c.SetRequestHandler(McpMethods.ElicitationCreate, (_, _) => Task.FromResult<JToken>(new JObject { ["action"] = "decline" }));
            c.SetRequestHandler(McpMethods.RootsList, (_, _) => Task.FromResult<JToken>(new JObject
            {
                ["roots"] = new JArray(new JObject { ["uri"] = "file:///work", ["name"] = "work" }),
            }));
        });
        await using var _ = client;

        var capabilities = (JObject)initialize["params"]!["capabilities"]!;
        Assert.Equal(["elicitation", "roots", "sampling"], capabilities.Properties().Select(p => p.Name).Order());

        await connection.RequestAsync(10, McpMethods.SamplingCreateMessage, new JObject
        {
            ["messages"] = new JArray(new JObject { ["role"] = "user", ["content"] = new JObject { ["type"] = "text", ["text"] = "hi" } }),
            ["maxTokens"] = 10,
        });
        var sampled = await connection.ReceiveAsync();
        await connection.RequestAsync(11, McpMethods.ElicitationCreate, new JObject { ["message"] = "name?" });
        var elicited = await connection.ReceiveAsync();
        await connection.RequestAsync(12, McpMethods.RootsList);
        var roots = await connection.ReceiveAsync();

        Assert.Equal(10L, (long)sampled["id"]!);
        Assert.Equal("sampled: hi", (string?)sampled["result"]!["content"]!["text"]);
        Assert.Equal("decline", (string?)elicited["result"]!["action"]);
        Assert.Equal("file:///work", (string?)roots["result"]!["roots"]![0]!["uri"]);
    }

    [Fact]
    public async Task ServerRequest_IsAnsweredWithTheHandlersError_WhenHandlerThrows()
    {
        var (client, connection, _) = await ConnectAsync(beforeInitialize: c =>
        {
            c.SetRequestHandler(McpMethods.SamplingCreateMessage, (_, _) => throw new McpProtocolException(-32042, "user said no", new JObject { ["why"] = "policy" }));
            c.SetRequestHandler(McpMethods.RootsList, (_, _) => throw new InvalidOperationException("disk on fire"));
        });
        await using var _ = client;

        await connection.RequestAsync(1, McpMethods.SamplingCreateMessage, new JObject());
        var refused = await connection.ReceiveAsync();
        await connection.RequestAsync(2, McpMethods.RootsList);
        var failed = await connection.ReceiveAsync();

        Assert.Equal(-32042, (int)refused["error"]!["code"]!);
        Assert.Equal("user said no", (string?)refused["error"]!["message"]);
        Assert.Equal("policy", (string?)refused["error"]!["data"]!["why"]);
        Assert.Equal(JsonRpcErrorCodes.InternalError, (int)failed["error"]!["code"]!);
        Assert.Contains("disk on fire", (string?)failed["error"]!["message"]);
    }

    [Fact]
    public async Task ServerRequest_HandlerIsCancelledAndNotAnswered_WhenServerSendsCancelled()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (client, connection, _) = await ConnectAsync(beforeInitialize: c =>
        {
            c.SetRequestHandler(McpMethods.ElicitationCreate, async (_, ct) =>
            {
                using var registration = ct.Register(() => cancelled.TrySetResult());
                started.TrySetResult();
                await Task.Delay(Timeout.Infinite, ct);
                return new JObject();
            });
        });
        await using var _ = client;

        await connection.RequestAsync("e1", McpMethods.ElicitationCreate, new JObject { ["message"] = "?" });
        await started.Task.Within("the handler to start");
        await connection.NotifyAsync(McpMethods.Cancelled, new JObject { ["requestId"] = "e1", ["reason"] = "user left" });
        await cancelled.Task.Within("the handler's token to be cancelled");
        // The next thing the client sends is the answer to this ping, not an answer to e1.
        await connection.RequestAsync("p1", McpMethods.Ping);
        var next = await connection.ReceiveAsync();

        Assert.Equal("p1", (string?)next["id"]);
        Assert.Equal(new JObject(), next["result"]);
    }

    [Fact]
    public async Task Notifications_ReachTheirHandlers_UntilUnsubscribed()
    {
        var logs = new List<LoggingMessageParams>();
        var listChanged = 0;
        var resources = new List<JObject?>();
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        IDisposable? resourceSubscription = null;
        var (client, connection, _) = await ConnectAsync(beforeInitialize: c =>
        {
            c.OnLogMessage(logs.Add);
            c.OnToolListChanged(() => listChanged++);
            resourceSubscription = c.OnNotification(McpMethods.ResourcesListChanged, resources.Add);
            c.OnNotification("test/done", _ => seen.TrySetResult());
        });
        await using var _ = client;

        await connection.NotifyAsync(McpMethods.Message, new JObject { ["level"] = "warning", ["logger"] = "db", ["data"] = new JObject { ["rows"] = 3 } });
        await connection.NotifyAsync(McpMethods.ToolsListChanged);
        await connection.NotifyAsync(McpMethods.ResourcesListChanged, new JObject { ["n"] = 1 });
        await connection.NotifyAsync("test/done");
        await seen.Task.Within("the notifications to be handled");
        resourceSubscription!.Dispose();
        seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await connection.NotifyAsync(McpMethods.ResourcesListChanged, new JObject { ["n"] = 2 });
        await connection.NotifyAsync("test/done");
        await seen.Task.Within("the second batch to be handled");

        var log = Assert.Single(logs);
        Assert.Equal("warning", log.Level);
        Assert.Equal("db", log.Logger);
        Assert.Equal(3, (int)log.Data!["rows"]!);
        Assert.Equal(1, listChanged);
        Assert.Equal(1, (int)Assert.Single(resources)!["n"]!);
    }

    [Fact]
    public async Task ServerPing_IsAnsweredWithEmptyResult()
    {
        var (client, connection, _) = await ConnectAsync(Config with { RequestTimeout = Timeout.InfiniteTimeSpan });
        await using var _ = client;

        await connection.RequestAsync(99, McpMethods.Ping);
        var answer = await connection.ReceiveAsync();

        Assert.Equal(99L, (long)answer["id"]!);
        Assert.Equal(new JObject(), answer["result"]);
    }
}
