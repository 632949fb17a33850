using System.Diagnostics;
using Newtonsoft.Json.Linq;
using static Pmcp.Actors.Diagnostics.McpTelemetryNames;

namespace Pmcp.Actors.Diagnostics;

/// <summary>
/// The server's spans: one per request, named <c>{method} {target}</c> (e.g. <c>tools/call echo</c>), of kind Server,
/// whose parent is the client's span when the request carries W3C trace context in <c>params._meta</c>
/// (<c>traceparent</c>, <c>tracestate</c>), as the OpenTelemetry conventions for MCP ask. Export them with
/// OpenTelemetry (<c>.WithTracing(t =&gt; t.AddSource("Pmcp.Actors"))</c>); with no listener nothing is created.
/// </summary>
internal static class McpActivities
{
    public static ActivitySource Source { get; } = new(SourceName, McpMetrics.Version);

    /// <summary>
    /// A started span for a request, or null when nobody listens. It is not left ambient (<see cref="Activity.Current"/>
    /// is as before): the session's later messages are not its children; the code the request runs is made one with
    /// <see cref="Ambient"/>.
    /// </summary>
    internal static Activity? StartRequest(string method, string? target, Protocol.RequestId requestId, JToken? meta, string protocolName)
    {
        if (!Source.HasListeners()) return null;
        var parent = ParentFrom(meta);
        var outer = Activity.Current;
        var activity = Source.StartActivity(target is null ? method : $"{method} {target}", ActivityKind.Server, parent);
        Activity.Current = outer;
        if (activity is null) return null;
        activity.SetTag(MethodName, method);
        activity.SetTag(NetworkTransport, TransportOf(protocolName));
        activity.SetTag(NetworkProtocolName, protocolName);
        activity.SetTag(RequestId, requestId.ToString()); // formatted only for a span someone records
        if (target is not null)
        {
            activity.SetTag(method == Protocol.McpMethods.PromptsGet ? PromptName : ToolName, target);
            if (method == Protocol.McpMethods.ToolsCall) activity.SetTag(OperationName, ExecuteTool);
        }

        return activity;
    }

    /// <summary>Ends <paramref name="activity"/>; with an error it carries <c>error.type</c> and the Error status.</summary>
    internal static void Stop(Activity? activity, string? errorType, string? errorMessage, string? protocolVersion)
    {
        if (activity is null) return;
        if (protocolVersion is not null) activity.SetTag(McpTelemetryNames.ProtocolVersion, protocolVersion);
        if (errorType is not null)
        {
            activity.SetTag(ErrorType, errorType);
            if (errorType != ToolErrorType) activity.SetTag(ResponseStatusCode, errorType);
            activity.SetStatus(ActivityStatusCode.Error, errorMessage);
        }

        activity.Dispose();
    }

    /// <summary>
    /// The span on a tools node for a call a gateway sent it: <c>execute_tool {tool}</c> (or <c>{method} {target}</c>
    /// for a resource read, prompt or completion), kind Internal, child of the gateway's request span whose W3C
    /// context (<paramref name="traceParent"/>, <paramref name="traceState"/>) came with the call. Null when nobody
    /// listens or the call came without one. Not left ambient; the worker makes it so around the code.
    /// </summary>
    internal static Activity? StartRemoteCall(string method, string? target, string? traceParent, string? traceState)
    {
        if (traceParent is null || !Source.HasListeners()) return null;
        if (!ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var parent)) return null;
        var outer = Activity.Current;
        var name = method == Protocol.McpMethods.ToolsCall ? $"{ExecuteTool} {target}" : target is null ? method : $"{method} {target}";
        var activity = Source.StartActivity(name, ActivityKind.Internal, parent);
        Activity.Current = outer;
        if (activity is null) return null;
        activity.SetTag(MethodName, method);
        if (target is not null)
        {
            activity.SetTag(method == Protocol.McpMethods.PromptsGet ? PromptName : ToolName, target);
            if (method == Protocol.McpMethods.ToolsCall) activity.SetTag(OperationName, ExecuteTool);
        }
        return activity;
    }

    /// <summary>Makes <paramref name="span"/> <see cref="Activity.Current"/> until disposed (nothing when null), so code started meanwhile (and its tasks) runs inside it.</summary>
    internal static AmbientSpan Ambient(Activity? span) => new(span);

    internal readonly struct AmbientSpan : IDisposable
    {
        private readonly Activity? _outer;
        private readonly bool _set;

        public AmbientSpan(Activity? span)
        {
            if (span is null) return;
            _outer = Activity.Current;
            _set = true;
            Activity.Current = span;
        }

        public void Dispose()
        {
            if (_set) Activity.Current = _outer;
        }
    }

    /// <summary>The W3C trace context in <c>_meta</c>; the default (no parent: the ambient one) when absent or malformed.</summary>
    internal static ActivityContext ParentFrom(JToken? meta)
    {
        if (meta is not JObject bag || bag["traceparent"] is not JValue { Type: JTokenType.String } traceparent) return default;
        var tracestate = bag["tracestate"] is JValue { Type: JTokenType.String } state ? (string?)state : null;
        return ActivityContext.TryParse((string?)traceparent, tracestate, isRemote: true, out var context) ? context : default;
    }
}
