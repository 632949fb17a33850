namespace Pmcp.Actors.Tests.Support;

/// <summary>
/// Instruments a test tool: counts the calls running in it and the most that ever ran at once, holds every call
/// until the test releases it, and lets the test await "n running" or "n finished" without polling.
/// </summary>
internal sealed class ConcurrencyGauge
{
    private readonly object _lock = new();
    private readonly SemaphoreSlim _gate = new(0);
    private readonly List<(Func<bool> Condition, TaskCompletionSource Signal)> _waiters = [];
    private int _running;
    private int _finished;
    private int _maxConcurrent;

    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private readonly List<string> _timeline = [];

    /// <summary>When each call entered and how many were running then: for a failing test's output.</summary>
    public string Timeline
    {
        get
        {
            lock (_lock)
            {
                return string.Join(Environment.NewLine, _timeline);
            }
        }
    }

    public int MaxConcurrent
    {
        get
        {
            lock (_lock)
            {
                return _maxConcurrent;
            }
        }
    }

    /// <summary>The body of the tool: counts itself running, waits to be released, counts itself finished.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        Update(() =>
        {
            _running++;
            _maxConcurrent = Math.Max(_maxConcurrent, _running);
            _timeline.Add($"{_clock.Elapsed.TotalMilliseconds:0.000} ms: call entered, {_running} running");
        });
        try
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Update(() =>
            {
                _running--;
                _finished++;
            });
        }
    }

    public void ReleaseOne() => _gate.Release();

    public Task WhenRunning(int count) => When(() => _running >= count);

    public Task WhenFinished(int count) => When(() => _finished >= count);

    private Task When(Func<bool> condition)
    {
        lock (_lock)
        {
            if (condition())
            {
                return Task.CompletedTask;
            }

            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((condition, signal));
            return signal.Task;
        }
    }

    private void Update(Action change)
    {
        lock (_lock)
        {
            change();
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Condition())
                {
                    _waiters[i].Signal.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }
}
