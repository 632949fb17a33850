using Pmcp.Protocol;

namespace Pmcp.Actors.Tools;

/// <summary>What a server is: its identity, its instructions and its tools. Built by <see cref="McpServerBuilder"/>.</summary>
public sealed class McpServerDefinition
{
    internal McpServerDefinition(Implementation serverInfo, string? instructions, IReadOnlyList<McpToolDefinition> tools)
    {
        ServerInfo = serverInfo;
        Instructions = instructions;
        Tools = tools;
    }

    public Implementation ServerInfo { get; }

    public string? Instructions { get; }

    /// <summary>The tools, in the order they were added (the order of <c>tools/list</c>).</summary>
    public IReadOnlyList<McpToolDefinition> Tools { get; }

    /// <summary>Capabilities announced in the initialize result: what is registered, nothing more.</summary>
    public ServerCapabilities Capabilities { get; } = new()
    {
        Tools = new ToolsCapability { ListChanged = true },
        Logging = [],
    };
}
