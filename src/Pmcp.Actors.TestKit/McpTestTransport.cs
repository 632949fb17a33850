namespace Pmcp.Actors.TestKit;

/// <summary>How a test's client reaches the server under test.</summary>
public enum McpTestTransport
{
    /// <summary>Through channels in the same process (<c>McpInMemorySession</c>): no socket, no port, the same session rules.</summary>
    InMemory,

    /// <summary>A WebSocket to the server's endpoint on a loopback port.</summary>
    WebSocket,

    /// <summary>Streamable HTTP (POSTs and SSE streams) to the server's endpoint on a loopback port.</summary>
    StreamableHttp,
}
