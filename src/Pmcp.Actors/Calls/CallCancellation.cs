namespace Pmcp.Actors.Calls;

/// <summary>
/// A call's cancellation, whose <see cref="CancellationTokenSource"/> is made only when somebody asks for the token: most
/// tools finish at once without looking at it, and a source is one more object per call (issue 29). A field of its call
/// (a mutable struct, never copied). Cancelling before the token is asked for is remembered, and the source made later
/// starts cancelled.
/// </summary>
internal struct CallCancellation
{
    private CancellationTokenSource? _source;
    private int _cancelled;

    public bool IsCancellationRequested => Volatile.Read(ref _cancelled) != 0;

    public CancellationToken Token
    {
        get
        {
            if (Volatile.Read(ref _source) is { } existing) return existing.Token;
            var made = new CancellationTokenSource();
            var source = Interlocked.CompareExchange(ref _source, made, null) ?? made;
            // A Cancel that ran before the source was published found none to cancel: it is cancelled here instead. Both
            // sides use full fences (the exchange above, the one in Cancel), so one of the two always sees the other.
            if (Volatile.Read(ref _cancelled) != 0) source.Cancel();
            return source.Token;
        }
    }

    public void Cancel()
    {
        Interlocked.Exchange(ref _cancelled, 1);
        Volatile.Read(ref _source)?.Cancel();
    }
}
