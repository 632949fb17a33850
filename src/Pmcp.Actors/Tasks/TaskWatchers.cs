using Akka.Actor;
using static Pmcp.Actors.Tasks.TaskProtocol;

namespace Pmcp.Actors.Tasks;

/// <summary>
/// Who a task tells of its status changes, and the status each was told last (so each change is told once): the
/// 2025-11-25 connection that made it (<see cref="TaskStatusChanged"/>), and the 2026-07-28 listens that named it
/// (<see cref="TaskListenNotice"/>, tagged with the listen's subscription). One actor may watch several times (a
/// connection with several listens); the task actor deathwatches each actor once.
/// </summary>
internal sealed class TaskWatchers
{
    private readonly List<Watcher> _watchers = [];

    private sealed class Watcher(IActorRef actor, string? subscription, string? told)
    {
        public IActorRef Actor { get; } = actor;

        public string? Subscription { get; } = subscription;

        public string? Told { get; set; } = told;
    }

    public int Count => _watchers.Count;

    /// <summary>Adds a watcher (<paramref name="subscription"/> null: the connection that made the task); true when <paramref name="actor"/> was not watching yet.</summary>
    public bool Add(IActorRef actor, string? subscription, string? told)
    {
        var first = !_watchers.Exists(w => w.Actor.Equals(actor));
        if (!_watchers.Exists(w => w.Actor.Equals(actor) && w.Subscription == subscription)) _watchers.Add(new Watcher(actor, subscription, told));
        return first;
    }

    /// <summary>Removes the listen's watcher; true when <paramref name="actor"/> watches no more.</summary>
    public bool Remove(IActorRef actor, string subscription)
    {
        _watchers.RemoveAll(w => w.Actor.Equals(actor) && w.Subscription == subscription);
        return !_watchers.Exists(w => w.Actor.Equals(actor));
    }

    /// <summary>The actor stopped: none of its watchers is told anything more.</summary>
    public void RemoveAll(IActorRef actor) => _watchers.RemoveAll(w => w.Actor.Equals(actor));

    /// <summary>Tells <paramref name="state"/> to each watcher last told another status.</summary>
    public void Tell(TaskState state, IActorRef self)
    {
        string? json = null;
        foreach (var watcher in _watchers)
        {
            if (watcher.Told == state.Status) continue;
            watcher.Told = state.Status;
            json ??= state.ToJson();
            watcher.Actor.Tell(watcher.Subscription is { } subscription ? new TaskListenNotice(subscription, json) : new TaskStatusChanged(json), self);
        }
    }
}
