using System.Diagnostics;
using Pmcp.Actors.Diagnostics;
using Pmcp.Protocol;

namespace Pmcp.Actors.Session;

/// <summary>
/// A session's requests as its operator sees them: each is measured from the moment the session takes it until its
/// response is decided (<see cref="McpMetrics.RecordOperation"/>, <c>mcp.server.operation.duration</c>) and, when a
/// tracer listens, is a server span continuing the client's trace. Written once around the method table's entry and
/// exit, so no handler knows about telemetry. With no listener it does nothing at all.
/// </summary>
internal sealed class RequestTelemetry(McpMetrics? metrics, string protocolName)
{
    // Made on the first timed request: an idle session, or one nobody measures, holds none.
    private Dictionary<RequestId, Pending>? _pending;

    private readonly record struct Pending(long StartedAt, string Method, string? Target, Activity? Span);

    /// <summary>How the session's requests came (<c>http</c>, <c>websocket</c>), as its metrics name it.</summary>
    public string ProtocolName => protocolName;

    /// <summary>
    /// Forgets the requests still timed, for a renewed session (<see cref="McpSession.Renew"/>): as when a session ends,
    /// a request that got no response is not recorded.
    /// </summary>
    public void Clear() => _pending?.Clear();

    private bool Listening => metrics?.OperationsRecorded == true || McpActivities.Source.HasListeners();

    /// <summary>The session took request <paramref name="id"/> (again, when it had held it back: the first time counts).</summary>
    public void Started(RequestId id, JsonRpcMessage request)
    {
        if (!Listening) return;
        _pending ??= [];
        if (_pending.ContainsKey(id)) return;
        var method = request.Method!;
        var target = method is McpMethods.ToolsCall or McpMethods.PromptsGet ? request.Param("name")?.ToString() : null;
        // _meta (a trace parent) only for a tracer: made into tokens for nothing else (issue 29).
        var meta = McpActivities.Source.HasListeners() ? request.Param("_meta") : null;
        var span = McpActivities.StartRequest(method, target, id, meta, protocolName);
        _pending[id] = new Pending(Stopwatch.GetTimestamp(), method, target, span);
    }

    /// <summary>The server span of request <paramref name="id"/> while it is in flight; null when nobody traces.</summary>
    public Activity? Span(RequestId id) => _pending is { Count: > 0 } && _pending.TryGetValue(id, out var pending) ? pending.Span : null;

    /// <summary>The response to <paramref name="id"/> is decided: <paramref name="responseJson"/> says whether it is an error.</summary>
    public void Answered(RequestId id, string responseJson, string? protocolVersion)
    {
        if (_pending is not { Count: > 0 } || !_pending.Remove(id, out var pending)) return;
        var (errorType, message) = ResponseOutcome.Of(responseJson);
        End(pending, errorType, message, protocolVersion);
    }

    /// <summary>The client cancelled <paramref name="id"/>: no response follows; it counts as ended with <c>error.type</c> <c>cancelled</c>.</summary>
    public void Cancelled(RequestId id, string? protocolVersion)
    {
        if (_pending is { Count: > 0 } && _pending.Remove(id, out var pending)) End(pending, "cancelled", "cancelled by the client", protocolVersion);
    }

    /// <summary>A notification from the client was handled; <paramref name="startedAt"/> is <see cref="Now"/> from before it.</summary>
    public void Notified(string method, long startedAt, string? protocolVersion)
    {
        if (metrics?.OperationsRecorded == true)
            metrics.RecordOperation(method, null, null, protocolName, protocolVersion, Stopwatch.GetElapsedTime(startedAt));
    }

    /// <summary>A request that runs user code started (<c>pmcp.server.calls.in_flight</c>).</summary>
    public void CallStarted() => metrics?.CallStarted();

    /// <summary><paramref name="count"/> calls in flight ended (answered, cancelled, or dropped with the session).</summary>
    public void CallsEnded(int count)
    {
        if (count > 0) metrics?.CallsEnded(count);
    }

    /// <summary>A message refused by the session's rate limit (<c>pmcp.server.rate_limited</c>, limit <c>messages</c>).</summary>
    public void RateLimited() => metrics?.RateLimitedOne("messages");

    /// <summary>A timestamp to time a notification with, or 0 when nothing listens.</summary>
    public long Now => metrics?.OperationsRecorded == true ? Stopwatch.GetTimestamp() : 0;

    private void End(Pending pending, string? errorType, string? message, string? protocolVersion)
    {
        metrics?.RecordOperation(pending.Method, pending.Target, errorType, protocolName, protocolVersion, Stopwatch.GetElapsedTime(pending.StartedAt));
        McpActivities.Stop(pending.Span, errorType, message, protocolVersion);
    }
}
