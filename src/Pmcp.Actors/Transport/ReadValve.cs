namespace Pmcp.Actors.Transport;

/// <summary>A gate the read pump awaits before each read; the ConnectionActor shuts it while too many calls are in flight.</summary>
internal sealed class ReadValve
{
    private readonly object _lock = new();
    private TaskCompletionSource? _reopened;

    public void Close()
    {
        lock (_lock) _reopened ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public void Open()
    {
        TaskCompletionSource? waiting;
        lock (_lock)
        {
            waiting = _reopened;
            _reopened = null;
        }
        waiting?.TrySetResult();
    }

    public Task WhenOpen()
    {
        lock (_lock) return _reopened?.Task ?? Task.CompletedTask;
    }
}
