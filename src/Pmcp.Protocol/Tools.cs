using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Pmcp.Protocol;

/// <summary>A tool as it appears in a <c>tools/list</c> result.</summary>
public sealed record Tool(
    [property: JsonProperty("name")] string Name,
    [property: JsonProperty("inputSchema")] JObject InputSchema)
{
    [JsonProperty("title", NullValueHandling = NullValueHandling.Ignore)]
    public string? Title { get; init; }

    [JsonProperty("description", NullValueHandling = NullValueHandling.Ignore)]
    public string? Description { get; init; }
}

public sealed record ListToolsResult(
    [property: JsonProperty("tools")] IReadOnlyList<Tool> Tools)
{
    [JsonProperty("nextCursor", NullValueHandling = NullValueHandling.Ignore)]
    public string? NextCursor { get; init; }
}

public sealed record CallToolParams(
    [property: JsonProperty("name")] string Name,
    [property: JsonProperty("arguments", NullValueHandling = NullValueHandling.Ignore)] JObject? Arguments = null);

/// <summary>The result of <c>tools/call</c>. A tool's own failure is a result with <see cref="IsError"/> set, not a JSON-RPC error.</summary>
public sealed record CallToolResult
{
    [JsonProperty("content")]
    public IReadOnlyList<ContentBlock> Content { get; init; } = [];

    [JsonProperty("structuredContent", NullValueHandling = NullValueHandling.Ignore)]
    public JObject? StructuredContent { get; init; }

    [JsonProperty("isError", NullValueHandling = NullValueHandling.Ignore)]
    public bool? IsError { get; init; }

    public static CallToolResult Text(string text) => new() { Content = [new TextContent(text)] };

    public static CallToolResult Error(string text) => new() { Content = [new TextContent(text)], IsError = true };
}

public sealed record ProgressParams(
    [property: JsonProperty("progressToken")] JToken ProgressToken,
    [property: JsonProperty("progress")] double Progress)
{
    [JsonProperty("total", NullValueHandling = NullValueHandling.Ignore)]
    public double? Total { get; init; }

    [JsonProperty("message", NullValueHandling = NullValueHandling.Ignore)]
    public string? Message { get; init; }
}

public sealed record CancelledParams(
    [property: JsonProperty("requestId")] RequestId RequestId)
{
    [JsonProperty("reason", NullValueHandling = NullValueHandling.Ignore)]
    public string? Reason { get; init; }
}
