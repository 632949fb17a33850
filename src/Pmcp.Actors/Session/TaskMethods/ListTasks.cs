using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Tasks;
using Pmcp.Protocol;
using static Pmcp.Actors.Tasks.TaskProtocol;

namespace Pmcp.Actors.Session.TaskMethods;

/// <summary>
/// <c>tasks/list</c> (2025-11-25): the tasks this session made that still exist, oldest first, in one page. Tasks are
/// found by id across the cluster; the list is the session's own memory of what it made.
/// </summary>
internal static class ListTasks
{
    public static void Handle(McpSession session, RequestId id, JsonRpcMessage request)
    {
        if (session.Tasks is not { } tasks)
        {
            session.SendError(id, JsonRpcErrorCodes.MethodNotFound, $"Method not found: {request.Method}");
            return;
        }
        if (request.Param("cursor") is { Type: not JTokenType.Null })
        {
            session.SendError(id, JsonRpcErrorCodes.InvalidParams, "Invalid cursor: tasks/list answers in one page.");
            return;
        }
        var owner = session.TaskScope.Owner;
        var ids = session.TaskScope.Made.ToArray();
        session.Calls.StartAsync(id, async cancellationToken =>
        {
            var answers = await Task.WhenAll(ids.Select(taskId => tasks.AskAsync(new TaskProtocol.GetTask(taskId, owner), cancellationToken))).ConfigureAwait(false);
            var list = new JArray();
            foreach (var answer in answers)
            {
                if (answer is { Kind: AnswerKind.State, StateJson: { } json }) list.Add(TaskWire.Task2025(TaskState.FromJson(json), tasks.PollIntervalMs));
            }
            return JsonRpcWriter.ResultRaw(id, new JObject { ["tasks"] = list }.ToString(Formatting.None));
        });
    }
}
