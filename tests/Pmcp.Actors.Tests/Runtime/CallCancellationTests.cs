using Pmcp.Actors.Calls;

namespace Pmcp.Actors.Tests.Runtime;

/// <summary>
/// A call's token whose source is made on first use (<see cref="CallCancellation"/>): a tool sees its call cancelled
/// whether it asked for the token before the cancel, after it, or while it happened.
/// </summary>
public sealed class CallCancellationTests
{
    [Fact]
    public void TokenAskedForAfterTheCancel_IsCancelledAlready()
    {
        var cancellation = new CallCancellation();
        cancellation.Cancel();

        Assert.True(cancellation.IsCancellationRequested);
        Assert.True(cancellation.Token.IsCancellationRequested);
    }

    [Fact]
    public void TokenAskedForBeforeTheCancel_IsCancelledByIt_AndRunsItsCallbacks()
    {
        var cancellation = new CallCancellation();
        var token = cancellation.Token;
        var called = false;
        using var registration = token.Register(() => called = true);
        Assert.False(token.IsCancellationRequested);

        cancellation.Cancel();

        Assert.True(token.IsCancellationRequested);
        Assert.True(called);
        Assert.Equal(token, cancellation.Token); // one source, whoever asks
    }

    [Fact]
    public void NeverCancelled_TokenStaysUncancelled()
    {
        var cancellation = new CallCancellation();

        Assert.False(cancellation.Token.IsCancellationRequested);
        Assert.False(cancellation.IsCancellationRequested);
    }

    [Fact]
    public async Task CancelRacingTheFirstAskForTheToken_IsNeverLost()
    {
        for (var round = 0; round < 1_000; round++)
        {
            var holder = new Holder();
            using var start = new Barrier(2);
            // Threads of their own: two pool threads blocked at the barrier could wait on the pool's injection when other
            // tests keep it busy.
            var asking = Task.Factory.StartNew(() =>
            {
                start.SignalAndWait();
                return holder.Cancellation.Token;
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            var cancelling = Task.Factory.StartNew(() =>
            {
                start.SignalAndWait();
                holder.Cancellation.Cancel();
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            await Task.WhenAll(asking, cancelling);

            Assert.True((await asking).IsCancellationRequested, $"round {round}: the token was handed out uncancelled after the cancel");
        }
    }

    // The struct lives in a field of its call, as in CallExecution; a local copy would not be shared by the two threads.
    private sealed class Holder
    {
        public CallCancellation Cancellation;
    }
}
