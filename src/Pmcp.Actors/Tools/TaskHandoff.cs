namespace Pmcp.Actors.Tools;

/// <summary>
/// How a handler's <see cref="ToolContext.ContinueAsTaskAsync"/> reaches whoever runs it: a request to its connection
/// under a method of the server's own, never sent to a client. A 2026-07-28 session that can make the call a task
/// answers it "input required" and answers the request with the task; a task, and every other session, lets the
/// handler go on.
/// </summary>
internal static class TaskHandoff
{
    /// <summary>The method of the handoff request; not an MCP method, so no client ever sees it.</summary>
    public const string Method = "pmcp/continueAsTask";
}

/// <summary>The handler stopped at <see cref="ToolContext.ContinueAsTaskAsync"/>: its request is answered with a task that runs it again.</summary>
internal sealed class TaskHandoffException()
    : Exception("The call continues as a task: its request is answered with the task, which runs the handler again.");
