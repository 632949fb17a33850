using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Tasks;
using Pmcp.Protocol;


namespace Pmcp.Actors.Session.TaskMethods;

/// <summary>
/// A task as each era writes it. 2026-07-28 (the tasks extension): flat results — a <c>CreateTaskResult</c> is the task
/// itself with <c>resultType: "task"</c>, and <c>tasks/get</c> inlines the result, the error or the pending
/// <c>inputRequests</c>; durations are <c>ttlMs</c> and <c>pollIntervalMs</c>. 2025-11-25: <c>{task: {...}}</c> on
/// creation, <c>ttl</c> and <c>pollInterval</c>, and the result through <c>tasks/result</c>.
/// </summary>
internal static class TaskWire
{
    public const string RelatedTaskKey = "io.modelcontextprotocol/related-task";

    public static string Created2026(TaskState state, long pollIntervalMs)
    {
        var task = Common2026(state, pollIntervalMs);
        task.AddFirst(new JProperty("resultType", "task"));
        return task.ToString(Formatting.None);
    }

    public static string Detailed2026(TaskState state, long pollIntervalMs)
    {
        var task = Common2026(state, pollIntervalMs);
        switch (state.Status)
        {
            case TaskStatuses.Completed:
                task["result"] = state.Result;
                break;
            case TaskStatuses.Failed:
                task["error"] = state.Error;
                break;
            case TaskStatuses.InputRequired when state.InputRequests is { } inputs:
                var requests = new JObject();
                foreach (var (key, request) in inputs) requests[key] = McpJson.Parse(request);
                task["inputRequests"] = requests;
                break;
        }
        return task.ToString(Formatting.None);
    }

    public static string Created2025(TaskState state, long pollIntervalMs) =>
        new JObject { ["task"] = Task2025(state, pollIntervalMs) }.ToString(Formatting.None);

    public static JObject Task2025(TaskState state, long pollIntervalMs)
    {
        var task = new JObject
        {
            ["taskId"] = state.TaskId,
            ["status"] = state.Status,
            ["createdAt"] = state.CreatedAt,
            ["lastUpdatedAt"] = state.LastUpdatedAt,
            ["ttl"] = state.TtlMs,
            ["pollInterval"] = pollIntervalMs,
        };
        if (state.StatusMessage is not null) task["statusMessage"] = state.StatusMessage;
        return task;
    }

    /// <summary>2025-11-25 <c>tasks/result</c>: the tool's result with the task named in its <c>_meta</c>, or the error the task failed with.</summary>
    public static string Result2025(RequestId id, TaskState state)
    {
        if (state.Status == TaskStatuses.Completed && state.Result is { } result)
        {
            var meta = result["_meta"] as JObject ?? [];
            meta[RelatedTaskKey] = new JObject { ["taskId"] = state.TaskId };
            result["_meta"] = meta;
            return JsonRpcWriter.ResultRaw(id, result.ToString(Formatting.None));
        }
        var error = state.Error ?? new JObject { ["code"] = JsonRpcErrorCodes.InternalError, ["message"] = state.StatusMessage ?? $"The task is {state.Status}." };
        return JsonRpcWriter.Error(id, new JsonRpcError((int?)error["code"] ?? JsonRpcErrorCodes.InternalError, (string?)error["message"] ?? "The task failed.", error["data"]));
    }

    private static JObject Common2026(TaskState state, long pollIntervalMs)
    {
        var task = new JObject
        {
            ["taskId"] = state.TaskId,
            ["status"] = state.Status,
            ["createdAt"] = state.CreatedAt,
            ["lastUpdatedAt"] = state.LastUpdatedAt,
            ["ttlMs"] = state.TtlMs,
            ["pollIntervalMs"] = pollIntervalMs,
        };
        if (state.StatusMessage is not null) task["statusMessage"] = state.StatusMessage;
        return task;
    }
}
