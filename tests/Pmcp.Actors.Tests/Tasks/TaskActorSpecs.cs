using Akka.Actor;
using Akka.TestKit.Xunit2;
using Microsoft.Extensions.Logging.Abstractions;
using Pmcp.Actors.Tasks;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using Xunit.Abstractions;
using static Pmcp.Actors.Tasks.TaskProtocol;

namespace Pmcp.Actors.Tests.Tasks;

/// <summary>
/// The task actor on its own, with Akka.Persistence's in-memory journal: its state machine, its owner check, and what it
/// says after it is recovered from its events (a second incarnation of the same task id stands for a restart).
/// </summary>
public sealed class TaskActorSpecs(ITestOutputHelper output) : TestKit(output: output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private TaskHost Host() => new(
    [
        new McpToolDefinition("quick", McpToolDefinition.EmptyInputSchema(), (_, _) => Task.FromResult(CallToolResult.Text("done"))) { TaskSupport = TaskSupport.Optional },
        new McpToolDefinition("hold", McpToolDefinition.EmptyInputSchema(), async (_, ctx) =>
        {
            await _gate.Task.WaitAsync(ctx.CancellationToken);
            return CallToolResult.Text("released");
        }) { TaskSupport = TaskSupport.Optional },
        new McpToolDefinition("boom", McpToolDefinition.EmptyInputSchema(), (_, _) => throw new McpException(-32603, "broken")) { TaskSupport = TaskSupport.Optional },
    ], new McpTaskOptions(), NullLoggerFactory.Instance);

    private IActorRef NewTask(string id) => Sys.ActorOf(TaskActor.Props(id, Host()));

    private static StartTask Start(string id, string tool) => new(id, "ada", "2026-07-28", tool, "{}", 60_000, null);

    private TaskState Get(IActorRef task, string id, string owner = "ada")
    {
        task.Tell(new GetTask(id, owner));
        var answer = ExpectMsg<TaskAnswer>(Wait);
        Assert.Equal(AnswerKind.State, answer.Kind);
        return TaskState.FromJson(answer.StateJson!);
    }

    [Fact]
    public void StartedTask_IsWorking_ThenCompletedWithItsToolsResult()
    {
        var task = NewTask("t1");
        task.Tell(Start("t1", "quick"));
        var created = TaskState.FromJson(ExpectMsg<TaskAnswer>(Wait).StateJson!);

        AwaitAssert(() => Assert.Equal(TaskStatuses.Completed, Get(task, "t1").Status), Wait);
        var done = Get(task, "t1");
        Assert.Equal("t1", created.TaskId);
        Assert.Equal(60_000, created.TtlMs);
        Assert.Contains("\"done\"", done.ResultJson);
        Assert.Null(done.ErrorJson);
    }

    [Fact]
    public void ToolThatThrowsAProtocolError_FailsTheTask_WithThatError()
    {
        var task = NewTask("t2");
        task.Tell(Start("t2", "boom"));
        ExpectMsg<TaskAnswer>(Wait);

        AwaitAssert(() => Assert.Equal(TaskStatuses.Failed, Get(task, "t2").Status), Wait);
        var failed = Get(task, "t2");
        Assert.Null(failed.ResultJson);
        Assert.Contains("broken", failed.ErrorJson);
    }

    [Fact]
    public void AnotherOwner_AndAnIdNobodyMade_AreAnsweredAsUnknown()
    {
        var task = NewTask("t3");
        task.Tell(Start("t3", "quick"));
        ExpectMsg<TaskAnswer>(Wait);

        task.Tell(new GetTask("t3", "eve"));
        Assert.Equal(new TaskAnswer(AnswerKind.Unknown, null), ExpectMsg<TaskAnswer>(Wait));
        task.Tell(new CancelTask("t3", "eve"));
        Assert.Equal(new TaskAnswer(AnswerKind.Unknown, null), ExpectMsg<TaskAnswer>(Wait));
        NewTask("nobody").Tell(new GetTask("nobody", "ada"));
        Assert.Equal(new TaskAnswer(AnswerKind.Unknown, null), ExpectMsg<TaskAnswer>(Wait));
    }

    [Fact]
    public void RecoveredFinishedTask_KeepsItsResult_AndARecoveredUnfinishedOne_IsFailed()
    {
        var finished = NewTask("t4");
        finished.Tell(Start("t4", "quick"));
        ExpectMsg<TaskAnswer>(Wait);
        AwaitAssert(() => Assert.Equal(TaskStatuses.Completed, Get(finished, "t4").Status), Wait);
        var running = NewTask("t5");
        running.Tell(Start("t5", "hold"));
        ExpectMsg<TaskAnswer>(Wait);

        Stop(finished);
        Stop(running);
        var finishedAgain = Get(NewTask("t4"), "t4");
        var runningAgain = Get(NewTask("t5"), "t5");

        Assert.Equal(TaskStatuses.Completed, finishedAgain.Status);
        Assert.Contains("\"done\"", finishedAgain.ResultJson);
        Assert.Equal(TaskStatuses.Failed, runningAgain.Status);
        Assert.Contains("stopped before the task finished", runningAgain.ErrorJson);
    }

    [Fact]
    public void CancelledTask_IsCancelled_AndASecondCancelSaysItHadEnded()
    {
        var task = NewTask("t6");
        task.Tell(Start("t6", "hold"));
        ExpectMsg<TaskAnswer>(Wait);

        task.Tell(new CancelTask("t6", "ada"));
        var cancelled = ExpectMsg<TaskAnswer>(Wait);
        task.Tell(new CancelTask("t6", "ada"));
        var again = ExpectMsg<TaskAnswer>(Wait);

        Assert.Equal(TaskStatuses.Cancelled, TaskState.FromJson(cancelled.StateJson!).Status);
        Assert.Equal(AnswerKind.AlreadyTerminal, again.Kind);
    }

    private void Stop(IActorRef actor)
    {
        Watch(actor);
        Sys.Stop(actor);
        ExpectTerminated(actor, Wait);
    }
}
