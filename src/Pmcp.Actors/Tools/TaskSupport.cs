namespace Pmcp.Actors.Tools;

/// <summary>
/// Whether a tool runs as a task (<c>execution.taskSupport</c> in <c>tools/list</c>): a call that becomes a task is
/// answered at once with the task, and the client reads its status and result later, from any gateway, even after a
/// restart. The tool's code is the same either way.
/// </summary>
public enum TaskSupport
{
    /// <summary>Never a task: every call is answered when the tool ends (the default).</summary>
    Forbidden,

    /// <summary>A task when the client asks for one (2025-11-25: <c>params.task</c>; 2026-07-28: the request declares the tasks extension), otherwise an ordinary call.</summary>
    Optional,

    /// <summary>Always a task: a call from a client that cannot take one is refused (2025-11-25: -32601; 2026-07-28: -32021).</summary>
    Required,
}
