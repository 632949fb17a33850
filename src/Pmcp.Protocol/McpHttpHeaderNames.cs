namespace Pmcp.Protocol;

/// <summary>
/// The names of the Streamable HTTP transport's headers, one spelling for the server that reads them, the client that
/// sends them and the benchmark harness that does both. HTTP header names match without regard to case; these are the
/// spellings the specification uses.
/// </summary>
internal static class McpHttpHeaderNames
{
    /// <summary>A 2025-era session's id: given out with initialize's answer, named on every later request.</summary>
    public const string SessionId = "Mcp-Session-Id";

    public const string ProtocolVersion = "MCP-Protocol-Version";

    /// <summary>2026-07-28: the method of the request in the body, for routing without reading it.</summary>
    public const string Method = "Mcp-Method";

    /// <summary>2026-07-28: the tool, prompt or resource the request names.</summary>
    public const string Name = "Mcp-Name";

    /// <summary>The last SSE event a client saw, to resume a stream after it.</summary>
    public const string LastEventId = "Last-Event-ID";
}
