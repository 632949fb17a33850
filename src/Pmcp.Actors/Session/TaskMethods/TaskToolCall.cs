using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Session.Era2025;
using Pmcp.Actors.Session.Era2026;
using Pmcp.Actors.Tasks;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using static Pmcp.Actors.Tasks.TaskProtocol;

namespace Pmcp.Actors.Session.TaskMethods;

/// <summary>
/// <c>tools/call</c> on a server that runs tasks: a call becomes a task when the tool allows it and the client takes one —
/// in 2025-11-25 when it sends <c>params.task</c>, in 2026-07-28 when the request declares the tasks extension (the
/// server decides; a legacy <c>task</c> param changes nothing there). A tool that requires a task, called by a client that
/// cannot take one, is refused: -32601 (2025-11-25), -32021 naming the extension (2026-07-28). Every other call runs as always.
/// </summary>
internal static class TaskToolCall
{
    public static void Handle(McpSession session, RequestId id, JsonRpcMessage request)
    {
        if (session.Tasks is not { } tasks)
        {
            RunUserCode.Handle(session, id, request);
            return;
        }
        var name = request.Param("name") is JValue { Type: JTokenType.String } value ? (string?)value : null;
        var support = tasks.SupportOf(name);
        if (session.Modern is not null) Modern(session, id, request, name, support, tasks);
        else Legacy(session, id, request, name, support, tasks);
    }

    private static void Modern(McpSession session, RequestId id, JsonRpcMessage request, string? name, TaskSupport support, TaskService tasks)
    {
        if (support == TaskSupport.Forbidden)
        {
            RunUserCode.Handle(session, id, request);
            return;
        }
        var declared = SessionTasks.DeclaredExtension(session, id);
        if (!declared && support == TaskSupport.Required)
        {
            session.Reply(id, JsonRpcWriter.Error(id, SessionTasks.MissingExtension($"Tool '{name}'")));
            return;
        }
        // A tool that asks before it becomes a task runs in the request; it becomes a task where it says so (TaskHandoffs).
        if (!declared || tasks.AsksBeforeTask(name)) RunUserCode.Handle(session, id, request);
        else Create(session, id, request, name!, tasks.TtlMs(null), tasks);
    }

    private static void Legacy(McpSession session, RequestId id, JsonRpcMessage request, string? name, TaskSupport support, TaskService tasks)
    {
        var task = request.Param("task");
        if (task is null || task.Type == JTokenType.Null)
        {
            if (support == TaskSupport.Required)
                session.SendError(id, JsonRpcErrorCodes.MethodNotFound, $"Tool '{name}' runs only as a task: call it with params.task.");
            else RunUserCode.Handle(session, id, request);
            return;
        }
        if (task is not JObject taskParams)
        {
            session.SendError(id, JsonRpcErrorCodes.InvalidParams, "params.task must be an object.");
            return;
        }
        if (support == TaskSupport.Forbidden)
        {
            if (!Declares(session, name)) RunUserCode.Handle(session, id, request); // unknown tool: its usual answer
            else session.SendError(id, JsonRpcErrorCodes.MethodNotFound, $"Tool '{name}' does not run as a task: call it without params.task.");
            return;
        }
        Create(session, id, request, name!, tasks.TtlMs(taskParams["ttl"]), tasks);
    }

    /// <summary>
    /// True when the server declares a tool <paramref name="name"/>. A method of its own: a lambda over the name in the
    /// caller would make its closure on every <c>tools/call</c>, task or not (issue 29).
    /// </summary>
    private static bool Declares(McpSession session, string? name) => name is not null && session.Definition.Tools.Any(t => t.Name == name);

    private static void Create(McpSession session, RequestId id, JsonRpcMessage request, string name, long ttlMs, TaskService tasks)
    {
        var arguments = request.Param("arguments");
        if (arguments is not null && arguments.Type is not (JTokenType.Object or JTokenType.Null))
        {
            session.SendError(id, JsonRpcErrorCodes.InvalidParams, "params.arguments must be an object.");
            return;
        }
        StartTask(session, id, name, arguments as JObject, ttlMs, null, work => session.Calls.StartAsync(id, work));
    }

    /// <summary>
    /// Makes the task of request <paramref name="id"/> and answers the request with its <c>CreateTaskResult</c> once it is
    /// stored; <paramref name="answerWith"/> puts that work in flight for the request (a new one, or a call handed over).
    /// </summary>
    public static void StartTask(McpSession session, RequestId id, string name, JObject? arguments, long ttlMs, string? inputAnswersJson,
        Action<Func<CancellationToken, Task<string>>> answerWith)
    {
        var tasks = session.Tasks!;
        var modern = session.Modern is not null;
        var taskId = Guid.NewGuid().ToString("N");
        var start = new StartTask(taskId, session.TaskScope.Owner, modern ? ModernProtocol.Version : session.ProtocolVersion!, name,
            arguments?.ToString(Formatting.None) ?? "{}", ttlMs, session.Caller, inputAnswersJson,
            Watcher: modern ? null : session.Host.Inbox); // a 2025 session is told the task's status changes
        if (!modern) session.TaskScope.Remember(taskId);
        var pollMs = tasks.PollIntervalMs;
        answerWith(async cancellationToken =>
        {
            var answer = await tasks.AskAsync(start, cancellationToken).ConfigureAwait(false);
            if (answer is not { Kind: AnswerKind.State, StateJson: { } json })
                return JsonRpcWriter.Error(id, JsonRpcErrorCodes.InternalError, "The task could not be created.");
            var state = TaskState.FromJson(json);
            return JsonRpcWriter.ResultRaw(id, modern ? TaskWire.Created2026(state, pollMs) : TaskWire.Created2025(state, pollMs));
        });
    }
}
