using System.Collections.Concurrent;
using System.Diagnostics;
using Pmcp.Actors.Diagnostics;

namespace Pmcp.Actors.Tests.Support;

/// <summary>
/// Listens to the server's activity source and keeps the spans of one trace as they end: a test makes a trace id,
/// sends it as <c>traceparent</c>, and reads back the spans the server made in it (spans of other tests running
/// beside it are in other traces, so they do not show).
/// </summary>
internal sealed class TraceRecorder : IDisposable
{
    private readonly ActivityListener _listener;

    public TraceRecorder()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == McpTelemetryNames.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.TraceId == TraceId) Spans.Enqueue(activity);
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>The trace whose spans are kept.</summary>
    public ActivityTraceId TraceId { get; } = ActivityTraceId.CreateRandom();

    /// <summary>The client's own span, the parent the <see cref="TraceParent"/> names.</summary>
    public ActivitySpanId ClientSpanId { get; } = ActivitySpanId.CreateRandom();

    /// <summary>The W3C <c>traceparent</c> of the client's span, sampled.</summary>
    public string TraceParent => $"00-{TraceId}-{ClientSpanId}-01";

    /// <summary>The spans of <see cref="TraceId"/> that have ended, in the order they ended.</summary>
    public ConcurrentQueue<Activity> Spans { get; } = new();

    public void Dispose() => _listener.Dispose();
}
