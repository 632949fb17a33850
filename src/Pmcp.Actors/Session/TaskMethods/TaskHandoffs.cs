using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Tasks;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using static Pmcp.Actors.Messages.ConnectionProtocol;

namespace Pmcp.Actors.Session.TaskMethods;

/// <summary>
/// A handler's <see cref="ToolContext.ContinueAsTaskAsync"/> as its session sees it. A 2026-07-28 <c>tools/call</c> of
/// a tool that runs as a task, whose request declared the tasks extension and whose handler has asked nothing still
/// unanswered, becomes a task here: the handler stops, and the request is answered with the <c>CreateTaskResult</c> of
/// a task that runs the handler again with the answers of the rounds so far (SEP-2663: input is gathered synchronously,
/// then the call is handed to the task). Any other call goes on in place.
/// </summary>
internal static class TaskHandoffs
{
    public static void Handle(McpSession session, ClientRequest request, object asker)
    {
        if (Target(session, request) is not { } call)
        {
            session.Host.TellAsker(asker, new ClientRequestCompleted(request.Key, "{}"));
            return;
        }
        session.Host.TellAsker(asker, new ClientInputRequired(request.Key)); // the handler stops; its answer goes nowhere
        var (id, name, arguments, answers) = call;
        TaskToolCall.StartTask(session, id, name, arguments, session.Tasks!.TtlMs(null), answers.ToString(Formatting.None),
            work => session.Calls.HandOver(id, work));
    }

    private static (RequestId Id, string Name, JObject? Arguments, JObject Answers)? Target(McpSession session, ClientRequest request)
    {
        if (session.Modern is not { } modern || session.Tasks is not { } tasks || request.RelatedRequest is not { } id) return null;
        if (modern.Binding(id) is not { Method: McpMethods.ToolsCall } binding || tasks.SupportOf(binding.Target) == TaskSupport.Forbidden) return null;
        if (!SessionTasks.DeclaredExtension(session, id) || modern.Round(id) is not { AskedSomething: false } round) return null;
        return (id, binding.Target, binding.ArgumentsToken as JObject, round.Used);
    }
}
