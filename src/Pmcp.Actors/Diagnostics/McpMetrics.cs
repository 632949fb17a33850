using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;
using static Pmcp.Actors.Diagnostics.McpTelemetryNames;

namespace Pmcp.Actors.Diagnostics;

/// <summary>
/// The server's metrics, on a <see cref="Meter"/> named <see cref="McpTelemetryNames.SourceName"/> made by the host's
/// <see cref="IMeterFactory"/> (so each host, and each test server, has its own). Export them with OpenTelemetry
/// (<c>.WithMetrics(m =&gt; m.AddMeter("Pmcp.Actors"))</c>); with no listener every record is a cheap no-op.
/// </summary>
internal sealed class McpMetrics
{
    // Calls answer in microseconds (ping, echo) up to minutes (long tools): boundaries from 100 us to 5 min.
    private static readonly double[] OperationBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
    private static readonly double[] SessionBuckets = [0.1, 1, 5, 10, 30, 60, 300, 600, 1800, 3600, 7200, 28800, 86400];

    private readonly Histogram<double> _operationDuration;
    private readonly Histogram<double> _sessionDuration;
    private readonly UpDownCounter<long> _activeSessions;
    private long _callsInFlight;
    private readonly Counter<long> _outboundDropped;
    private readonly Counter<long> _rateLimited;

    public McpMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        // The factory owns the meter and disposes it with the host.
        var meter = meterFactory.Create(SourceName, Version);
        _operationDuration = meter.CreateHistogram(OperationDuration, unit: "s",
            description: "MCP request or notification duration as observed on the receiver from the time it was received until the result or ack is sent.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = OperationBuckets });
        _sessionDuration = meter.CreateHistogram(SessionDuration, unit: "s",
            description: "The duration of the MCP session as observed on the MCP server.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SessionBuckets });
        _activeSessions = meter.CreateUpDownCounter<long>(ActiveSessions, unit: "{session}", description: "MCP sessions open on this node, by transport.");
        // Observed when collected rather than recorded per call: a call then costs two interlocked adds, not two
        // measurements through every listener's aggregation.
        meter.CreateObservableUpDownCounter(CallsInFlight, () => Volatile.Read(ref _callsInFlight), unit: "{call}",
            description: "Requests whose handler (tool, resource, prompt, completion) is running on this node.");
        _outboundDropped = meter.CreateCounter<long>(OutboundDropped, unit: "{message}", description: "Messages to a client dropped or refused because its outbound queue was full.");
        _rateLimited = meter.CreateCounter<long>(RateLimited, unit: "{request}", description: "Session starts, upgrades and messages refused by a rate limit.");
    }

    /// <summary>The version the meter and activity source report: the library's.</summary>
    public static string Version { get; } = typeof(McpMetrics).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>True when something listens to <c>mcp.server.operation.duration</c>: only then is a request worth timing.</summary>
    public bool OperationsRecorded => _operationDuration.Enabled;

    /// <summary>
    /// One answered request or handled notification. <paramref name="target"/> is the tool's or prompt's name where the
    /// method has one; <paramref name="errorType"/> the JSON-RPC error code, or <c>tool_error</c> for an
    /// <c>isError</c> result; null on success.
    /// </summary>
    public void RecordOperation(string method, string? target, string? errorType, string protocolName, string? protocolVersion, TimeSpan elapsed)
    {
        if (!_operationDuration.Enabled) return;
        var tags = new TagList
        {
            { MethodName, method },
            { NetworkTransport, TransportOf(protocolName) },
            { NetworkProtocolName, protocolName },
        };
        if (protocolVersion is not null) tags.Add(McpTelemetryNames.ProtocolVersion, protocolVersion);
        if (target is not null) tags.Add(method == Protocol.McpMethods.PromptsGet ? PromptName : ToolName, target);
        if (errorType is not null) tags.Add(ErrorType, errorType);
        _operationDuration.Record(elapsed.TotalSeconds, tags);
    }

    public void SessionStarted(string protocolName) => _activeSessions.Add(1, new KeyValuePair<string, object?>(NetworkProtocolName, protocolName));

    public void SessionEnded(string protocolName, string? protocolVersion, TimeSpan lifetime)
    {
        _activeSessions.Add(-1, new KeyValuePair<string, object?>(NetworkProtocolName, protocolName));
        if (!_sessionDuration.Enabled) return;
        var tags = new TagList { { NetworkTransport, TransportOf(protocolName) }, { NetworkProtocolName, protocolName } };
        if (protocolVersion is not null) tags.Add(McpTelemetryNames.ProtocolVersion, protocolVersion);
        _sessionDuration.Record(lifetime.TotalSeconds, tags);
    }

    public void CallStarted() => Interlocked.Increment(ref _callsInFlight);

    public void CallsEnded(int count) => Interlocked.Add(ref _callsInFlight, -count);

    public void OutboundDroppedOne(string protocolName) => _outboundDropped.Add(1, new KeyValuePair<string, object?>(NetworkProtocolName, protocolName));

    /// <param name="limit">Which limit refused it, e.g. <c>messages</c> or <c>session_starts</c>.</param>
    public void RateLimitedOne(string limit) => _rateLimited.Add(1, new KeyValuePair<string, object?>("pmcp.limit", limit));
}
