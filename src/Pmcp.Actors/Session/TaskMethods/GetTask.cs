using Newtonsoft.Json;
using Pmcp.Actors.Tasks;
using Pmcp.Protocol;
using static Pmcp.Actors.Tasks.TaskProtocol;

namespace Pmcp.Actors.Session.TaskMethods;

/// <summary><c>tasks/get</c>: the task as it is now (2026-07-28: with its result, error or pending input inlined).</summary>
internal static class GetTask
{
    public static void Handle(McpSession session, RequestId id, JsonRpcMessage request)
    {
        if (!SessionTasks.Admit(session, id, request, out var taskId)) return;
        var tasks = session.Tasks!;
        var get = new TaskProtocol.GetTask(taskId, session.TaskScope.Owner);
        var modern = session.Modern is not null;
        session.Calls.StartAsync(id, async cancellationToken =>
        {
            var answer = await tasks.AskAsync(get, cancellationToken).ConfigureAwait(false);
            if (answer is not { Kind: AnswerKind.State, StateJson: { } json }) return SessionTasks.Unknown(id, taskId);
            var state = TaskState.FromJson(json);
            return JsonRpcWriter.ResultRaw(id, modern
                ? TaskWire.Detailed2026(state, tasks.PollIntervalMs)
                : TaskWire.Task2025(state, tasks.PollIntervalMs).ToString(Formatting.None));
        });
    }
}
