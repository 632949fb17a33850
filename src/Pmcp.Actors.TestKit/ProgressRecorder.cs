using Pmcp.Protocol;

namespace Pmcp.Actors.TestKit;

/// <summary>
/// Pass it as a call's progress to keep every <c>notifications/progress</c> in order. Unlike <see cref="Progress{T}"/>
/// it records on the thread that delivers the notification, so when the call's result is in, so is its progress.
/// </summary>
public sealed class ProgressRecorder : IProgress<ProgressParams>
{
    private readonly SynchronizedList<ProgressParams> _updates = new();

    public IReadOnlyList<ProgressParams> Updates => _updates;

    public void Report(ProgressParams value) => _updates.Add(value);
}
