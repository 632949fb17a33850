using Akka.Actor;
using Pmcp.Actors.Messages;
using Pmcp.Actors.Security;

namespace Pmcp.Actors.Tasks;

/// <summary>
/// The messages of a task actor (<see cref="TaskActor"/>), routed by <see cref="ITaskMessage.TaskId"/> through the shard
/// region, and the events it persists. Every one may cross nodes or go to the store: strings and records of strings only
/// (and, in messages never stored, actor refs, which the wire serializer writes as paths).
/// <see cref="ITaskMessage.Owner"/> is who may see the task: a task asked for by anyone else answers as unknown.
/// </summary>
internal static class TaskProtocol
{
    internal interface ITaskMessage : IMcpWireMessage
    {
        string TaskId { get; }

        string Owner { get; }
    }

    /// <summary>Creates the task and starts its tool; answered with <see cref="TaskAnswer"/> (state) once the task is stored.</summary>
    /// <param name="Era">The revision of the caller (2025-11-25 or 2026-07-28): how the task may ask its client something.</param>
    /// <param name="InputAnswersJson">What the client answered, by input key, in the rounds before the call became a task (<see cref="Tools.McpToolDefinition.InputBeforeTask"/>).</param>
    /// <param name="Watcher">The connection told each change of the task's status (<see cref="TaskStatusChanged"/>) while it lives; null for none.</param>
    public sealed record StartTask(string TaskId, string Owner, string Era, string ToolName, string ArgumentsJson, long TtlMs, CallerIdentity? Caller,
        string? InputAnswersJson = null, IActorRef? Watcher = null) : ITaskMessage;

    /// <summary>Told to the task's <see cref="StartTask.Watcher"/>: its status changed, and this is the task now (a <see cref="TaskState"/> as JSON).</summary>
    public sealed record TaskStatusChanged(string StateJson) : IMcpWireMessage;

    /// <summary>
    /// 2026-07-28 <c>subscriptions/listen</c> with <c>taskIds</c>: <paramref name="Listener"/> is told the task as it is
    /// now and then each change of its status (<see cref="TaskListenNotice"/>, tagged <paramref name="Subscription"/>),
    /// while both live or until <see cref="UnwatchTask"/>. Never answered: a task the caller cannot see tells nothing.
    /// </summary>
    public sealed record WatchTask(string TaskId, string Owner, IActorRef Listener, string Subscription) : ITaskMessage;

    /// <summary>The listen that sent <see cref="WatchTask"/> ended: its listener is told nothing more of the task.</summary>
    public sealed record UnwatchTask(string TaskId, string Owner, IActorRef Listener, string Subscription) : ITaskMessage;

    /// <summary>Told to a listener of <see cref="WatchTask"/>: the task now (a <see cref="TaskState"/> as JSON), for the listen tagged <paramref name="Subscription"/>.</summary>
    public sealed record TaskListenNotice(string Subscription, string StateJson) : IMcpWireMessage;

    public sealed record GetTask(string TaskId, string Owner) : ITaskMessage;

    /// <summary>2025-11-25 <c>tasks/result</c>: answered when the task is terminal.</summary>
    public sealed record AwaitResult(string TaskId, string Owner) : ITaskMessage;

    public sealed record CancelTask(string TaskId, string Owner) : ITaskMessage;

    /// <summary>2026-07-28 <c>tasks/update</c>: answers (by key) to what the task asked its client.</summary>
    public sealed record UpdateTask(string TaskId, string Owner, string InputResponsesJson) : ITaskMessage;

    public enum AnswerKind
    {
        /// <summary>No task with this id is visible to the caller (never made, expired, or another caller's).</summary>
        Unknown,

        /// <summary>The task, as <see cref="TaskAnswer.StateJson"/>.</summary>
        State,

        /// <summary>A cancel of a task that had already ended; the state is as it ended.</summary>
        AlreadyTerminal,

        /// <summary>The task was created with an id in use.</summary>
        Conflict,
    }

    /// <param name="StateJson">The <see cref="TaskState"/> as JSON (null for <see cref="AnswerKind.Unknown"/>).</param>
    public sealed record TaskAnswer(AnswerKind Kind, string? StateJson) : IMcpWireMessage;

    /// <summary>Persisted: the task was made. Its tool runs from here on (with <paramref name="InputAnswersJson"/>, the answers it was given before).</summary>
    public sealed record TaskCreated(string TaskId, string Owner, string Era, string ToolName, string ArgumentsJson, long TtlMs, string CreatedAt, CallerIdentity? Caller,
        string? InputAnswersJson = null) : IMcpWireMessage;

    /// <summary>Persisted: the task ended (completed with a result, failed with an error, or cancelled).</summary>
    public sealed record TaskEnded(string Status, string? ResultJson, string? ErrorJson, string? StatusMessage, string At) : IMcpWireMessage;

    /// <summary>Persisted: a tool declared idempotent is run again after its node stopped mid-run.</summary>
    public sealed record TaskRestarted(string At) : IMcpWireMessage;
}
