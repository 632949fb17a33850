using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Pmcp.Protocol;
using static Pmcp.Actors.Tasks.TaskProtocol;

namespace Pmcp.Actors.Session.TaskMethods;

/// <summary>
/// <c>tasks/update</c> (2026-07-28): the client's answers to what the task asked it (<c>inputResponses</c>, by the keys
/// <c>tasks/get</c> showed). Answered with an empty result; the task goes on, as the next <c>tasks/get</c> shows.
/// Keys the task is not waiting for are ignored.
/// </summary>
internal static class UpdateTask
{
    public static void Handle(McpSession session, RequestId id, JsonRpcMessage request)
    {
        if (!SessionTasks.Admit(session, id, request, out var taskId)) return;
        if (request.Param("inputResponses") is not JObject responses)
        {
            session.SendError(id, JsonRpcErrorCodes.InvalidParams, "tasks/update needs params.inputResponses (an object keyed by the task's input request ids).");
            return;
        }
        var tasks = session.Tasks!;
        var update = new Tasks.TaskProtocol.UpdateTask(taskId, session.TaskScope.Owner, responses.ToString(Formatting.None));
        session.Calls.StartAsync(id, async cancellationToken =>
        {
            var answer = await tasks.AskAsync(update, cancellationToken).ConfigureAwait(false);
            return answer.Kind == AnswerKind.Unknown ? SessionTasks.Unknown(id, taskId) : JsonRpcWriter.ResultRaw(id, "{}");
        });
    }
}
