using Newtonsoft.Json.Linq;
using Pmcp.Actors.Cluster;
using Pmcp.Actors.Hosting;
using Pmcp.Actors.Tasks;
using Pmcp.Actors.Tests.Era2026;
using Pmcp.Actors.Tests.Support;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Tasks;

/// <summary>
/// Test servers that run tasks, kept in a SQLite file under a folder of the test's own (or the store <c>configureTasks</c> names). Their task tools: <c>quick</c>
/// (only as a task; answers "done"), <c>hold</c> (may be a task; waits until the test opens <see cref="Gate"/>),
/// <c>again</c> (like hold, declared idempotent), <c>ask</c> (may be a task; asks the user to confirm), <c>greet_later</c>
/// (asks a name in the request, then continues as a task that greets it), <c>upper</c> (may be a task; reads its
/// <c>text</c> as <see cref="ToolArguments"/> and answers it in capitals), and the demo tools, which never are tasks.
/// </summary>
internal sealed class TaskServers
{
    /// <summary>How long a request that makes a task (a journal write) may take on a loaded machine.</summary>
    public static readonly TimeSpan Slow = TimeSpan.FromSeconds(60);

    public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static Task<TestServer> StartAsync(string dataFolder, ITestOutputHelper output, TaskCompletionSource? gate = null, McpClusterOptions? cluster = null,
        Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder>? configureHost = null, Action<Microsoft.AspNetCore.Builder.WebApplication>? configureApp = null,
        Action<Microsoft.AspNetCore.Builder.IEndpointConventionBuilder>? configureEndpoint = null, Action<McpTaskOptions>? configureTasks = null)
    {
        gate ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = new McpTaskOptions { DataFolder = dataFolder, PollInterval = TimeSpan.FromMilliseconds(100) };
        configureTasks?.Invoke(tasks);
        return TestServer.StartAsync(
            mcp => mcp
                .Tool(new McpToolDefinition("quick", McpToolDefinition.EmptyInputSchema(), (_, _) => Task.FromResult(CallToolResult.Text("done")))
                {
                    TaskSupport = TaskSupport.Required,
                })
                .Tool(new McpToolDefinition("hold", McpToolDefinition.EmptyInputSchema(), Held(gate, "released")) { TaskSupport = TaskSupport.Optional })
                .Tool(McpToolDefinition.ForArguments("upper", McpToolDefinition.EmptyInputSchema(), (args, _) =>
                    Task.FromResult(args.TryGetString("text", out var text) ? CallToolResult.Text(text.ToUpperInvariant()) : CallToolResult.Error("no text")))
                    with { TaskSupport = TaskSupport.Optional })
                .Tool(new McpToolDefinition("again", McpToolDefinition.EmptyInputSchema(), Held(gate, "ran again"))
                {
                    TaskSupport = TaskSupport.Optional,
                    Idempotent = true,
                })
                .Tool(new McpToolDefinition("ask", McpToolDefinition.EmptyInputSchema(), async (_, ctx) =>
                {
                    var answer = await ctx.Client.ElicitAsync(ElicitParams.Form("Go on?", JObject.Parse("""{"type":"object","properties":{"ok":{"type":"boolean"}}}""")), ctx.CancellationToken);
                    return CallToolResult.Text("answer: " + answer.Action);
                })
                {
                    TaskSupport = TaskSupport.Optional,
                })
                .Tool(new McpToolDefinition("greet_later", McpToolDefinition.EmptyInputSchema(), async (_, ctx) =>
                {
                    var answer = await ctx.Client.ElicitAsync(ElicitParams.Form("Your name?", JObject.Parse(NameSchema)), "name", ctx.CancellationToken);
                    await ctx.ContinueAsTaskAsync(ctx.CancellationToken);
                    return CallToolResult.Text($"Hello, {(string?)answer.Content?["name"]}");
                })
                {
                    TaskSupport = TaskSupport.Optional,
                    InputBeforeTask = true,
                }),
            o => o.ServeStatelessEra = true,
            output,
            configureHost: configureHost,
            configureApp: configureApp,
            configureEndpoint: configureEndpoint,
            cluster: cluster,
            configureAkka: akka => akka.WithMcpTasks(tasks, cluster));
    }

    private const string NameSchema = """{"type":"object","properties":{"name":{"type":"string"}}}""";

    private static McpToolHandler Held(TaskCompletionSource gate, string text) => async (_, ctx) =>
    {
        await gate.Task.WaitAsync(ctx.CancellationToken).ConfigureAwait(false);
        return CallToolResult.Text(text);
    };

    /// <summary>A cluster node that is gateway and tools node at once, on loopback, joining <paramref name="seeds"/> (none: it starts the cluster).</summary>
    public static McpClusterOptions Node(List<string> seeds) =>
        new() { Enabled = true, Role = McpNodeRole.Both, Hostname = "127.0.0.1", RemotePort = 0, SeedNodes = seeds };

    /// <summary>A second node on the same store that joins <paramref name="first"/>'s cluster; returned once both are up.</summary>
    public static async Task<TestServer> JoinAsync(TestServer first, string dataFolder, ITestOutputHelper output, TaskCompletionSource gate, Action<McpTaskOptions>? configureTasks = null)
    {
        var seed = Akka.Cluster.Cluster.Get(first.ActorSystem).SelfAddress.ToString();
        var second = await StartAsync(dataFolder, output, gate, Node([seed]), configureTasks: configureTasks);
        await Cluster.ClusterNodes.Poll(() => Task.FromResult(Akka.Cluster.Cluster.Get(first.ActorSystem).State.Members.Count(m => m.Status == Akka.Cluster.MemberStatus.Up) == 2),
            "both nodes to be up");
        return second;
    }

    /// <summary>
    /// Starts six <c>hold</c> tasks (their gate open) through <paramref name="a"/>, so that their entities spread over
    /// both nodes' shards, and reads each through <paramref name="b"/> until it is completed with its result.
    /// </summary>
    public static async Task StartedThroughAAreReadThroughBAsync(TestServer a, TestServer b)
    {
        await using var throughA = await a.ConnectAsync(initialize: false);
        await using var throughB = await b.ConnectAsync(initialize: false);
        var ids = new List<string>();
        for (var i = 0; i < 6; i++)
            ids.Add((string)(await throughA.RequestAsync("tools/call", WithTasks(new JObject { ["name"] = "hold" }), Slow)).EnsureSuccess().Result!["taskId"]!);

        foreach (var id in ids)
        {
            var task = await AwaitStatusAsync(throughB, id, "completed", Cluster.ClusterNodes.ClusterDeadline);
            Assert.Equal("released", (string?)task["result"]!["content"]![0]!["text"]);
        }
    }

    /// <summary>A 2026-07-28 request's params whose <c>_meta</c> declares the tasks extension.</summary>
    public static JObject WithTasks(JObject? @params = null) =>
        ModernRequests.Params(@params, ModernRequests.Meta(new JObject { ["extensions"] = new JObject { ["io.modelcontextprotocol/tasks"] = new JObject() } }));

    /// <summary>
    /// Starts a 2025-11-25 <c>quick</c> task that lives 3 s (<c>params.task.ttl</c>, so an expiry test waits seconds, not
    /// the default hour) and waits until it has completed; returns its id.
    /// </summary>
    public static async Task<string> CompletedShortLivedTaskAsync(McpTestClient client)
    {
        var created = (await client.RequestAsync("tools/call", new JObject { ["name"] = "quick", ["task"] = new JObject { ["ttl"] = 3000 } }, Slow)).EnsureSuccess();
        var taskId = (string)created.Result!["task"]!["taskId"]!;
        await Deadline.UntilAsync(async () =>
            (string?)(await client.RequestAsync("tasks/get", new JObject { ["taskId"] = taskId }, Slow)).Result?["status"] == "completed",
            () => $"task {taskId} to complete", TimeSpan.FromSeconds(90), pollInterval: TimeSpan.FromMilliseconds(100));
        return taskId;
    }

    /// <summary>Polls 2025-11-25 <c>tasks/get</c> until the task is unknown (-32602, its ttl past); returns that answer.</summary>
    public static async Task<WireMessage> AwaitExpiredAsync(McpTestClient client, string taskId)
    {
        WireMessage? gone = null;
        await Deadline.UntilAsync(async () =>
        {
            gone = await client.RequestAsync("tasks/get", new JObject { ["taskId"] = taskId }, Slow);
            return gone.ErrorCode == -32602;
        }, () => $"task {taskId} to expire", TimeSpan.FromSeconds(90), pollInterval: TimeSpan.FromMilliseconds(200));
        return gone!;
    }

    /// <summary>Polls 2026-07-28 <c>tasks/get</c> until the task reaches <paramref name="status"/>; returns that answer.</summary>
    public static async Task<JObject> AwaitStatusAsync(McpTestClient client, string taskId, string status, TimeSpan? timeout = null)
    {
        JObject? last = null;
        await Deadline.UntilAsync(async () =>
        {
            last = (await client.RequestAsync("tasks/get", WithTasks(new JObject { ["taskId"] = taskId }), Slow)).Json;
            return (string?)last["result"]?["status"] == status;
        }, () => $"waiting for task {taskId} to be {status} (last answer: {last})", timeout ?? TimeSpan.FromSeconds(90), pollInterval: TimeSpan.FromMilliseconds(20));
        return (JObject)last!["result"]!;
    }
}

/// <summary>A folder under the temp folder, deleted (as far as it can be) on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "pmcp-task-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A store still closing: the temp folder is the system's to clean.
        }
    }
}
