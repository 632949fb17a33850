namespace Pmcp.Actors.Diagnostics;

/// <summary>
/// The names this server's telemetry uses: the OpenTelemetry semantic conventions for MCP (instruments and attributes
/// named <c>mcp.*</c>, <c>gen_ai.*</c>, <c>error.type</c>, <c>network.transport</c>) and, for what the conventions do
/// not cover, instruments of our own under <c>pmcp.*</c>.
/// </summary>
public static class McpTelemetryNames
{
    /// <summary>The name of the server's <see cref="System.Diagnostics.Metrics.Meter"/> and <see cref="System.Diagnostics.ActivitySource"/>.</summary>
    public const string SourceName = "Pmcp.Actors";

    public const string OperationDuration = "mcp.server.operation.duration";
    public const string SessionDuration = "mcp.server.session.duration";
    public const string ActiveSessions = "pmcp.server.sessions.active";
    public const string CallsInFlight = "pmcp.server.calls.in_flight";
    public const string OutboundDropped = "pmcp.server.outbound.dropped";
    public const string RateLimited = "pmcp.server.rate_limited";

    public const string MethodName = "mcp.method.name";
    public const string ToolName = "gen_ai.tool.name";
    public const string PromptName = "gen_ai.prompt.name";
    public const string ResourceUri = "mcp.resource.uri";
    public const string ProtocolVersion = "mcp.protocol.version";
    public const string SessionId = "mcp.session.id";
    public const string RequestId = "jsonrpc.request.id";
    public const string ErrorType = "error.type";
    public const string ResponseStatusCode = "rpc.response.status_code";
    public const string NetworkTransport = "network.transport";
    public const string NetworkProtocolName = "network.protocol.name";
    public const string OperationName = "gen_ai.operation.name";

    /// <summary>What a session's bytes travel on: both transports are TCP, so the conventions' value is <c>tcp</c>.</summary>
    public const string TransportTcp = "tcp";

    /// <summary><c>network.protocol.name</c> of a WebSocket session.</summary>
    public const string ProtocolWebSocket = "websocket";

    /// <summary><c>network.protocol.name</c> of a Streamable HTTP session.</summary>
    public const string ProtocolHttp = "http";

    /// <summary><c>network.protocol.name</c> of a session in the same process (<c>Hosting.McpInMemorySession</c>), which has no wire protocol.</summary>
    public const string ProtocolInMemory = "memory";

    /// <summary><c>network.transport</c> of a session in the same process: no bytes travel, so not <c>tcp</c>.</summary>
    public const string TransportInProcess = "inproc";

    /// <summary>The <c>network.transport</c> under a session's <c>network.protocol.name</c>.</summary>
    internal static string TransportOf(string protocolName) => protocolName == ProtocolInMemory ? TransportInProcess : TransportTcp;

    /// <summary><c>gen_ai.operation.name</c> of a <c>tools/call</c>, as the conventions ask.</summary>
    public const string ExecuteTool = "execute_tool";

    /// <summary><c>error.type</c> of a tool result with <c>isError: true</c>, as the conventions name it.</summary>
    public const string ToolErrorType = "tool_error";
}
