using Pmcp.Actors.Security;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;

namespace Pmcp.Actors.Messages;

/// <summary>
/// Messages between connections and the tool router (<c>/user/pmcp-tools</c>) and its workers. Arguments and results
/// travel as raw JSON text so that they can cross nodes unchanged.
/// </summary>
internal static class ToolRouterProtocol
{
    /// <summary>A call is named by its connection's id and a per-connection sequence number.</summary>
    public readonly record struct CallKey(long ConnectionId, long CallId)
    {
        public string WorkerName => $"worker-{ConnectionId}-{CallId}";
    }

    /// <summary>A page of <c>tools/list</c>, <c>resources/list</c>, <c>resources/templates/list</c> or <c>prompts/list</c>; answered with <see cref="ToolsListed"/> or <see cref="ListFailed"/>.</summary>
    public sealed record ListItems(RequestId RequestId, string Method, string? Cursor);

    public sealed record ToolsListed(RequestId RequestId, string ResultJson);

    public sealed record ListFailed(RequestId RequestId, int Code, string Message);

    /// <summary>Run a tool; the sender gets <see cref="CallAnswered"/>, and <see cref="ToolCallProgress"/> on the way when <paramref name="WantsProgress"/>.</summary>
    /// <remarks>
    /// <paramref name="Caller"/>: the connection's authenticated caller, null when anonymous. <paramref name="Trace"/>:
    /// the request's span, so that the node running the call continues its trace; null when nobody traces.
    /// </remarks>
    public sealed record CallTool(CallKey Key, RequestId RequestId, string ToolName, string ArgumentsJson, bool WantsProgress, CallerIdentity? Caller = null, TraceContext? Trace = null) : IMcpWireMessage;

    /// <summary>Run a <c>resources/read</c>, <c>prompts/get</c> or <c>completion/complete</c>; answered like <see cref="CallTool"/>.</summary>
    public sealed record RunRequest(CallKey Key, RequestId RequestId, string Method, string? ParamsJson, CallerIdentity? Caller = null, TraceContext? Trace = null) : IMcpWireMessage;

    /// <summary>A span's W3C trace context as text (<c>traceparent</c>, <c>tracestate</c>), as it crosses nodes.</summary>
    public sealed record TraceContext(string TraceParent, string? TraceState)
    {
        /// <summary>The context of <see cref="System.Diagnostics.Activity.Current"/>; null when there is none (nobody traces).</summary>
        public static TraceContext? OfCurrent() =>
            System.Diagnostics.Activity.Current is { IdFormat: System.Diagnostics.ActivityIdFormat.W3C } span ? new TraceContext(span.Id!, span.TraceStateString) : null;
    }

    /// <summary>Cancel a call's token. No answer; a late result is dropped by the connection.</summary>
    public sealed record CancelCall(CallKey Key) : IMcpWireMessage;

    /// <summary>
    /// The one answer of a call, wherever it ran (in its session, on a worker, on another node): the whole JSON-RPC
    /// response to the client's request — the result, an <c>isError</c> result, or an error (unknown tool -32602, the
    /// server failed while running it -32603) — written in one pass where the answer is made.
    /// </summary>
    public sealed record CallAnswered(long CallId, string ResponseJson) : IMcpWireMessage;

    public sealed record ToolCallProgress(long CallId, double Progress, double? Total, string? Message) : IMcpWireMessage;

    /// <summary>How many workers run user code right now; answered with <see cref="WorkerCount"/>.</summary>
    public sealed record GetWorkerCount
    {
        public static readonly GetWorkerCount Instance = new();
    }

    public sealed record WorkerCount(int Count);

    /// <summary>
    /// From a session's in-process runner: one of its calls did not finish at once and runs on (Started), or ended
    /// (Ended). The router counts them with its workers for <see cref="GetWorkerCount"/>; calls that finish within the
    /// session's turn (most) are never told.
    /// </summary>
    public sealed record SessionCallStarted
    {
        public static readonly SessionCallStarted Instance = new();
    }

    public sealed record SessionCallEnded
    {
        public static readonly SessionCallEnded Instance = new();
    }

    /// <summary>Add a tool, or replace the one with its name; answered with <see cref="ToolsUpdated"/> (or a failure for an invalid tool).</summary>
    public sealed record AddTool(McpToolDefinition Tool);

    /// <summary>Remove a tool; answered with <see cref="ToolsUpdated"/>, false when no tool had that name.</summary>
    public sealed record RemoveTool(string Name);

    public sealed record ToolsUpdated(bool Changed);

    /// <summary>Add a resource (or replace the one at its URI), a resource template (by its template), or a prompt (by name); answered with <see cref="ToolsUpdated"/>.</summary>
    public sealed record AddFeature(object Definition);

    /// <summary>Remove the resource at a URI, the template with that template string, or the prompt with that name; answered with <see cref="ToolsUpdated"/>.</summary>
    public sealed record RemoveFeature(string List, string Key);

    /// <summary>Published on the EventStream when a list (<c>tools</c>, <c>resources</c>, <c>prompts</c>) changes; the server actor tells every session.</summary>
    /// <param name="Tools">For a change of <c>tools</c>, the router's new catalog, which sessions that run tools in process take up; null otherwise.</param>
    public sealed record ListChangedEvent(string List, ToolCatalog? Tools = null);
}
