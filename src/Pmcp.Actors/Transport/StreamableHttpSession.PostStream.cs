using System.Threading.Channels;
using System.Threading.Tasks.Sources;

namespace Pmcp.Actors.Transport;

internal sealed partial class StreamableHttpSession
{
    /// <summary>
    /// What one POST streams back: messages for its request, the last one its response; read by that POST alone. It is
    /// read as a <see cref="ChannelReader{T}"/>, but is not a channel: a bounded channel made and completed for every
    /// request cost more than the rest of the hand-off (completing one builds two <see cref="ChannelClosedException"/>s
    /// with their resource strings, found in a profile of the HTTP path). Most requests get one message, so the first
    /// waits in a field and a queue is made only for a second; the one waiting reader is a reusable value-task source.
    /// </summary>
    internal sealed class PostStream(int capacity, OutboundBytes outboundBytes) : ChannelReader<Outbound>, IValueTaskSource<bool>
    {
        private readonly Lock _gate = new();
        private Outbound _head; // the oldest unread message, while _count > 0
        private Queue<Outbound>? _rest; // the unread messages after _head
        private int _count;
        private bool _writingDone; // the final message was written, or the stream was abandoned
        private volatile bool _abandoned;
        private bool _readerWaiting;
        private bool _unreadUncounted; // set on abandoning: what is left was uncounted then, not as it is read
        private ManualResetValueTaskSourceCore<bool> _wait = new() { RunContinuationsAsynchronously = true };
        private CancellationTokenRegistration _cancellation; // the waiting reader's; only the reader touches it

        public ChannelReader<Outbound> Reader => this;

        /// <summary>Its client went away, or it was cancelled: nothing more is written to it.</summary>
        public bool IsAbandoned => _abandoned;

        /// <summary>False when the stream is full (as many unread as its capacity) or takes no more messages.</summary>
        public bool TryWrite(string json, bool final)
        {
            lock (_gate)
            {
                if (_writingDone || _count >= capacity) return false;
                var message = new Outbound(json, final);
                if (_count == 0) _head = message;
                else (_rest ??= new Queue<Outbound>()).Enqueue(message);
                _count++;
                if (final) _writingDone = true;
                if (!_readerWaiting) return true;
                _readerWaiting = false;
            }
            _wait.SetResult(true);
            return true;
        }

        /// <summary>
        /// No more messages are written; a reader still there may read what is left, which no longer counts against the
        /// session's outbound budget (most often its reader is gone and nobody ever will).
        /// </summary>
        public void Abandon()
        {
            _abandoned = true;
            lock (_gate)
            {
                _writingDone = true;
                UncountUnread();
                if (!_readerWaiting) return;
                _readerWaiting = false;
            }
            _wait.SetResult(false);
        }

        private void UncountUnread()
        {
            if (_unreadUncounted) return;
            _unreadUncounted = true;
            if (_count == 0) return;
            outboundBytes.Remove(_head.Json);
            if (_rest is not null) foreach (var message in _rest) outboundBytes.Remove(message.Json);
        }

        public override bool TryRead(out Outbound item)
        {
            lock (_gate)
            {
                if (_count == 0)
                {
                    item = default;
                    return false;
                }
                item = _head;
                if (--_count > 0) _head = _rest!.Dequeue();
                if (!_unreadUncounted) outboundBytes.Remove(item.Json);
                return true;
            }
        }

        public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default)
        {
            if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled<bool>(cancellationToken);
            lock (_gate)
            {
                if (_count > 0) return new ValueTask<bool>(true);
                if (_writingDone) return new ValueTask<bool>(false);
                _wait.Reset();
                _readerWaiting = true;
            }
            if (cancellationToken.CanBeCanceled)
                _cancellation = cancellationToken.UnsafeRegister(static (state, token) => ((PostStream)state!).CancelWait(token), this);
            return new ValueTask<bool>(this, _wait.Version);
        }

        private void CancelWait(CancellationToken token)
        {
            lock (_gate)
            {
                if (!_readerWaiting) return;
                _readerWaiting = false;
            }
            _wait.SetException(new OperationCanceledException(token));
        }

        bool IValueTaskSource<bool>.GetResult(short token)
        {
            _cancellation.Unregister();
            _cancellation = default;
            return _wait.GetResult(token);
        }

        ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _wait.GetStatus(token);

        void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _wait.OnCompleted(continuation, state, token, flags);
    }
}
