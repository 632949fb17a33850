using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Persistence;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Calls;
using Pmcp.Protocol;
using static Pmcp.Actors.Messages.ConnectionProtocol;
using static Pmcp.Actors.Messages.ToolRouterProtocol;
using static Pmcp.Actors.Tasks.TaskProtocol;

namespace Pmcp.Actors.Tasks;

/// <summary>
/// One task: a sharded entity (one per task id, wherever in the cluster its shard lives) that runs its tool and keeps
/// what became of it with Akka.Persistence, so that a restarted server, or another node after this one is lost, still
/// answers with the truth. A task found unfinished when it is recovered was running on a node that stopped: it is run
/// again when its tool is <see cref="Tools.McpToolDefinition.Idempotent"/>, otherwise it fails. Its TTL runs from its
/// creation; when it passes, its events are deleted and it is unknown from then on. Only <see cref="ITaskMessage.Owner"/>
/// sees it: anyone else is answered as for an unknown id. A tool that asked its client before it became a task
/// (<see cref="Tools.McpToolDefinition.InputBeforeTask"/>) runs again from the start, its questions answered as then.
/// The connection that made it (<see cref="StartTask.Watcher"/>), and the 2026-07-28 listens that name it
/// (<see cref="WatchTask"/>), are told each change of its status while they live. When it expires, its events are
/// deleted and what the journal keeps of a deleted id is purged (<see cref="TaskStore.PurgeAsync"/>): no row is left.
/// </summary>
internal sealed class TaskActor : ReceivePersistentActor, IWithTimers
{
    private const string ExpiryTimer = "expire";
    private readonly TaskHost _host;
    private readonly string _taskId;
    private readonly Dictionary<string, PendingInput> _inputs = new(StringComparer.Ordinal);
    private readonly List<IActorRef> _resultWaiters = [];
    private readonly TaskWatchers _watchers = new();
    private TaskCreated? _created;
    private TaskEnded? _ended;
    private string _lastUpdatedAt = "";
    private CallExecution? _running;
    private bool _unfinishedOnRecovery;
    private bool _expired;
    private bool _endStored;
    private JObject? _givenAnswers;

    private sealed record PendingInput(IActorRef Asker, string Method, string? ParamsJson);

    private sealed record RunFinished(CallAnswered Answer);

    private sealed record Purged(Exception? Failure);

    private sealed class Expire
    {
        public static readonly Expire Instance = new();
    }

    public TaskActor(string taskId, TaskHost host)
    {
        _taskId = taskId;
        _host = host;
        Recover<TaskCreated>(e =>
        {
            _created = e;
            _lastUpdatedAt = e.CreatedAt;
            _unfinishedOnRecovery = true;
        });
        Recover<TaskRestarted>(e => _lastUpdatedAt = e.At);
        Recover<TaskEnded>(e =>
        {
            _ended = e;
            _endStored = true;
            _lastUpdatedAt = e.At;
            _unfinishedOnRecovery = false;
        });

        Command<StartTask>(Start);
        Command<GetTask>(get => Answer(get, () => Sender.Tell(StateAnswer())));
        Command<AwaitResult>(wait => Answer(wait, () =>
        {
            if (_ended is not null) Sender.Tell(StateAnswer());
            else _resultWaiters.Add(Sender);
        }));
        Command<CancelTask>(cancel => Answer(cancel, Cancel));
        Command<UpdateTask>(update => Answer(update, () => Update(update.InputResponsesJson)));
        Command<WatchTask>(watch => Answer(watch, () => Watch(watch), reply: false));
        Command<UnwatchTask>(unwatch =>
        {
            if (_watchers.Remove(unwatch.Listener, unwatch.Subscription)) Context.Unwatch(unwatch.Listener);
            if (_created is null && !_expired) Passivate(); // an id with no task, made only to be told this
        });
        Command<RunFinished>(finished => Finished(finished.Answer));
        Command<ClientRequest>(AskClient);
        Command<CancelClientRequest>(cancel =>
        {
            if (!_inputs.Remove(cancel.Key)) return;
            _lastUpdatedAt = TaskState.Now();
            NotifyStatus();
        });
        Command<ClientLog>(_ => { }); // a task has no client to log to while it runs: its log lines stay in the server's log
        Command<ToolCallProgress>(_ => { });
        Command<Expire>(_ => ExpireNow());
        Command<Terminated>(gone => _watchers.RemoveAll(gone.ActorRef));
        Command<DeleteMessagesSuccess>(_ => TaskStore.PurgeAsync(_host.Options, PersistenceId)
            .PipeTo(Self, success: () => new Purged(null), failure: ex => new Purged(ex)));
        Command<DeleteMessagesFailure>(failure =>
        {
            Context.GetLogger().Warning(failure.Cause, "Task {0} expired but its events could not be deleted", _taskId);
            Passivate();
        });
        Command<Purged>(purged =>
        {
            if (purged.Failure is { } failure) Context.GetLogger().Warning(failure, "Task {0} expired; its events are deleted, but the journal's marker row could not be removed", _taskId);
            Passivate();
        });
    }

    public override string PersistenceId => "pmcp-task-" + _taskId;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string taskId, TaskHost host) => Akka.Actor.Props.Create(() => new TaskActor(taskId, host));

    protected override void OnReplaySuccess()
    {
        if (_created is null) return;
        var left = ExpiresAt(_created) - DateTimeOffset.UtcNow;
        if (left <= TimeSpan.Zero) ExpireNow();
        else Timers.StartSingleTimer(ExpiryTimer, Expire.Instance, left);
    }

    protected override void PostStop()
    {
        _running?.Cancel();
        foreach (var (key, input) in _inputs) input.Asker.Tell(new ClientRequestFailed(key, Tools.ClientRequestFailure.ConnectionClosed, "The task stopped."));
        base.PostStop();
    }

    private void Start(StartTask start)
    {
        if (_created is not null || _expired)
        {
            Sender.Tell(new TaskAnswer(_created?.Owner == start.Owner ? AnswerKind.Conflict : AnswerKind.Unknown, null));
            return;
        }
        var created = new TaskCreated(start.TaskId, start.Owner, start.Era, start.ToolName, start.ArgumentsJson, start.TtlMs, TaskState.Now(), start.Caller,
            start.InputAnswersJson);
        var replyTo = Sender;
        // Answered only once stored: a tasks/get right after the CreateTaskResult must find the task, on any node.
        // The creator learns the first status (working) from the CreateTaskResult, and is told each later one.
        if (start.Watcher is { } watcher && _watchers.Add(watcher, null, TaskStatuses.Working)) Context.Watch(watcher);
        Persist(created, e =>
        {
            _created = e;
            _lastUpdatedAt = e.CreatedAt;
            Timers.StartSingleTimer(ExpiryTimer, Expire.Instance, TimeSpan.FromMilliseconds(e.TtlMs));
            Run();
            replyTo.Tell(StateAnswer());
        });
    }

    /// <summary>Runs <paramref name="action"/> for the task's owner; anyone else (and any id with no task) is told the task is unknown (when <paramref name="reply"/>).</summary>
    private void Answer(ITaskMessage message, Action action, bool reply = true)
    {
        if (_created is null || _expired || _created.Owner != message.Owner)
        {
            if (reply) Sender.Tell(new TaskAnswer(AnswerKind.Unknown, null));
            if (_created is null && !_expired) Passivate(); // nothing to keep in memory for an id nobody made
            return;
        }
        SettleRecovered();
        action();
    }

    /// <summary>A task recovered unfinished was running on a node that stopped: run it again (idempotent tools) or fail it.</summary>
    private void SettleRecovered()
    {
        if (!_unfinishedOnRecovery) return;
        _unfinishedOnRecovery = false;
        if (_host.Find(_created!.ToolName) is { Definition.Idempotent: true })
        {
            var restarted = new TaskRestarted(TaskState.Now());
            _lastUpdatedAt = restarted.At;
            Persist(restarted, _ => { });
            Run();
            return;
        }
        End(new TaskEnded(TaskStatuses.Failed, null,
            Error(JsonRpcErrorCodes.InternalError, "The server running this task stopped before the task finished."),
            "The server running this task stopped before the task finished.", TaskState.Now()));
    }

    private void Run()
    {
        var created = _created!;
        if (_host.Find(created.ToolName) is not { } tool)
        {
            End(new TaskEnded(TaskStatuses.Failed, null, Error(JsonRpcErrorCodes.InvalidParams, $"Unknown tool: {created.ToolName}"), null, TaskState.Now()));
            return;
        }
        if (CallRules.Refusal(tool.Definition, created.ToolName, 0, new RequestId(0), created.Caller) is { } refused)
        {
            Finished(refused);
            return;
        }
        var arguments = new Tools.ToolArguments(McpJson.Parse(created.ArgumentsJson) as JObject ?? []);
        _running = CallExecution.ForTask(tool.Definition, tool.Outcomes, arguments, Self, tool.Definition.Timeout ?? _host.Options.MaxRunTime, created.Caller);
        _running.RunAsync().AsTask().PipeTo(Self, success: answer => new RunFinished(answer));
    }

    private void Finished(CallAnswered answer)
    {
        _running = null;
        if (_ended is not null) return; // cancelled meanwhile: the late answer goes nowhere
        var response = McpJson.Parse(answer.ResponseJson) as JObject;
        var ended = response?["error"] is JObject error
            ? new TaskEnded(TaskStatuses.Failed, null, error.ToString(Formatting.None), (string?)error["message"], TaskState.Now())
            : new TaskEnded(TaskStatuses.Completed, (response?["result"] ?? new JObject()).ToString(Formatting.None), null, null, TaskState.Now());
        End(ended);
    }

    private void Cancel()
    {
        if (_ended is not null)
        {
            Sender.Tell(new TaskAnswer(AnswerKind.AlreadyTerminal, State().ToJson()));
            return;
        }
        _running?.Cancel();
        End(new TaskEnded(TaskStatuses.Cancelled, null, null, "The task was cancelled.", TaskState.Now()));
        Sender.Tell(StateAnswer());
    }

    /// <summary>Answers, by key, what the task asked its client; keys it did not ask (or no longer waits for) are ignored.</summary>
    private void Update(string inputResponsesJson)
    {
        if (McpJson.Parse(inputResponsesJson) is JObject responses)
        {
            foreach (var (key, value) in responses)
            {
                if (value is null || !_inputs.Remove(key, out var pending)) continue;
                pending.Asker.Tell(new ClientRequestCompleted(key, value.ToString(Formatting.None)));
                _lastUpdatedAt = TaskState.Now();
            }
            NotifyStatus();
        }
        Sender.Tell(StateAnswer());
    }

    /// <summary>
    /// The tool asks its client something. A 2026-07-28 task parks it: the task is <c>input_required</c> until the
    /// client answers through <c>tasks/update</c>. A 2025 task has no way to ask, and the tool is told so.
    /// </summary>
    private void AskClient(ClientRequest request)
    {
        if (request.Method == Tools.TaskHandoff.Method)
        {
            Sender.Tell(new ClientRequestCompleted(request.Key, "{}")); // already a task: the handler goes on
            return;
        }
        // The handler runs again from the start: what it asked before it became a task is answered as the client answered then.
        if (request.InputKey is { } inputKey && GivenAnswers()?[inputKey] is { } given)
        {
            Sender.Tell(new ClientRequestCompleted(request.Key, given.ToString(Formatting.None)));
            return;
        }
        if (_ended is not null || _created?.Era != McpProtocolVersions.V2026_07_28)
        {
            Sender.Tell(new ClientRequestFailed(request.Key, Tools.ClientRequestFailure.NotSupported,
                "A task can ask its client only in 2026-07-28 (through tasks/get and tasks/update)."));
            return;
        }
        _inputs[request.Key] = new PendingInput(Sender, request.Method, request.ParamsJson);
        _lastUpdatedAt = TaskState.Now();
        NotifyStatus();
    }

    /// <summary>A listen names this task: it is told the task now (once the status it shows is stored), then each change.</summary>
    private void Watch(WatchTask watch)
    {
        if (_watchers.Add(watch.Listener, watch.Subscription, null)) Context.Watch(watch.Listener);
        if (_ended is null || _endStored) NotifyStatus(); // else the end's store tells it, with the others
    }

    private JObject? GivenAnswers() => _givenAnswers ??= _created?.InputAnswersJson is { } json ? McpJson.Parse(json) as JObject : null;

    private void End(TaskEnded ended)
    {
        _ended = ended;
        _lastUpdatedAt = ended.At;
        foreach (var (key, input) in _inputs) input.Asker.Tell(new ClientRequestFailed(key, Tools.ClientRequestFailure.ConnectionClosed, "The task ended."));
        _inputs.Clear();
        Persist(ended, _ =>
        {
            _endStored = true;
            var answer = StateAnswer();
            foreach (var waiter in _resultWaiters) waiter.Tell(answer);
            _resultWaiters.Clear();
            NotifyStatus(); // once stored, like the answers: what a watcher is told, tasks/get tells too
        });
    }

    /// <summary>Tells the watchers the task, each that was last told another status.</summary>
    private void NotifyStatus()
    {
        if (_watchers.Count == 0 || _created is null) return;
        _watchers.Tell(State(), Self);
    }

    private void ExpireNow()
    {
        if (_expired) return;
        _expired = true;
        _running?.Cancel();
        foreach (var waiter in _resultWaiters) waiter.Tell(new TaskAnswer(AnswerKind.Unknown, null));
        _resultWaiters.Clear();
        DeleteMessages(long.MaxValue);
    }

    private static void Passivate() => Context.Parent.Tell(new Passivate(PoisonPill.Instance));

    private TaskAnswer StateAnswer() => new(AnswerKind.State, State().ToJson());

    private TaskState State()
    {
        var created = _created!;
        var status = _ended?.Status ?? (_inputs.Count > 0 ? TaskStatuses.InputRequired : TaskStatuses.Working);
        Dictionary<string, string>? inputs = null;
        if (_ended is null && _inputs.Count > 0)
        {
            inputs = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, input) in _inputs)
            {
                var request = new JObject { ["method"] = input.Method };
                if (input.ParamsJson is not null) request["params"] = McpJson.Parse(input.ParamsJson);
                inputs[key] = request.ToString(Formatting.None);
            }
        }
        return new TaskState(created.TaskId, status, created.CreatedAt, _lastUpdatedAt, created.TtlMs,
            _ended?.StatusMessage, _ended?.ResultJson, _ended?.ErrorJson, inputs);
    }

    private static DateTimeOffset ExpiresAt(TaskCreated created) =>
        DateTimeOffset.Parse(created.CreatedAt, System.Globalization.CultureInfo.InvariantCulture) + TimeSpan.FromMilliseconds(created.TtlMs);

    private static string Error(int code, string message) => new JObject { ["code"] = code, ["message"] = message }.ToString(Formatting.None);
}
