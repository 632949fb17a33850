using Pmcp.Actors.Tasks;
using Pmcp.Protocol;
using static Pmcp.Actors.Tasks.TaskProtocol;

namespace Pmcp.Actors.Session.TaskMethods;

/// <summary>
/// <c>tasks/result</c> (2025-11-25): waits until the task ends, then answers with its tool's result (naming the task in
/// <c>_meta["io.modelcontextprotocol/related-task"]</c>) or with the error it failed with.
/// </summary>
internal static class TaskResult
{
    public static void Handle(McpSession session, RequestId id, JsonRpcMessage request)
    {
        if (!SessionTasks.Admit(session, id, request, out var taskId)) return;
        var tasks = session.Tasks!;
        var wait = new AwaitResult(taskId, session.TaskScope.Owner);
        session.Calls.StartAsync(id, async cancellationToken =>
        {
            // A task ends by its TTL at the latest.
            var answer = await tasks.AskAsync(wait, cancellationToken, tasks.Options.MaxTtl).ConfigureAwait(false);
            if (answer is not { Kind: AnswerKind.State, StateJson: { } json }) return SessionTasks.Unknown(id, taskId);
            return TaskWire.Result2025(id, TaskState.FromJson(json));
        });
    }
}
