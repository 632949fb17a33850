using Newtonsoft.Json;
using Pmcp.Actors.Tasks;
using Pmcp.Protocol;
using static Pmcp.Actors.Tasks.TaskProtocol;

namespace Pmcp.Actors.Session.TaskMethods;

/// <summary>
/// <c>tasks/cancel</c>: the task's tool is cancelled and the task is <c>cancelled</c>. 2026-07-28 answers with an empty
/// result, also for a task that had already ended (the cancel is idempotent); 2025-11-25 answers with the task, and a
/// task that had already ended is -32602.
/// </summary>
internal static class CancelTask
{
    public static void Handle(McpSession session, RequestId id, JsonRpcMessage request)
    {
        if (!SessionTasks.Admit(session, id, request, out var taskId)) return;
        var tasks = session.Tasks!;
        var cancel = new TaskProtocol.CancelTask(taskId, session.TaskScope.Owner);
        var modern = session.Modern is not null;
        session.Calls.StartAsync(id, async cancellationToken =>
        {
            var answer = await tasks.AskAsync(cancel, cancellationToken).ConfigureAwait(false);
            if (answer.Kind == AnswerKind.Unknown || answer.StateJson is not { } json) return SessionTasks.Unknown(id, taskId);
            if (modern) return JsonRpcWriter.ResultRaw(id, "{}");
            var state = TaskState.FromJson(json);
            return answer.Kind == AnswerKind.AlreadyTerminal
                ? JsonRpcWriter.Error(id, JsonRpcErrorCodes.InvalidParams, $"Task {taskId} is already {state.Status} and cannot be cancelled.")
                : JsonRpcWriter.ResultRaw(id, TaskWire.Task2025(state, tasks.PollIntervalMs).ToString(Formatting.None));
        });
    }
}
