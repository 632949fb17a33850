using Newtonsoft.Json.Linq;
using Pmcp.Protocol;

namespace Pmcp.Actors.Tools;

/// <summary>Runs one tool call: the arguments object (empty when the client sent none) and the call's context.</summary>
public delegate Task<CallToolResult> McpToolHandler(JObject arguments, ToolContext context);

/// <summary>A tool: what <c>tools/list</c> shows of it and the handler that <c>tools/call</c> runs.</summary>
public sealed record McpToolDefinition(string Name, JObject InputSchema, McpToolHandler Handler)
{
    public string? Title { get; init; }

    public string? Description { get; init; }

    /// <summary>The schema used when a tool declares none: an object that takes no arguments.</summary>
    public static JObject EmptyInputSchema() => new() { ["type"] = "object", ["additionalProperties"] = false };

    internal Tool ToProtocol() => new(Name, InputSchema) { Title = Title, Description = Description };
}
