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

    [JsonProperty("outputSchema", NullValueHandling = NullValueHandling.Ignore)]
    public JObject? OutputSchema { get; init; }

    [JsonProperty("annotations", NullValueHandling = NullValueHandling.Ignore)]
    public ToolAnnotations? Annotations { get; init; }

    [JsonProperty("icons", NullValueHandling = NullValueHandling.Ignore)]
    public IReadOnlyList<Icon>? Icons { get; init; }

    /// <summary>How the tool may be run (2025-11-25 and the 2026-07-28 tasks extension): <c>{"taskSupport": "optional"}</c>.</summary>
    [JsonProperty("execution", NullValueHandling = NullValueHandling.Ignore)]
    public ToolExecution? Execution { get; init; }
}

/// <summary>A tool's <c>execution</c>: whether it runs as a task (<c>forbidden</c>, <c>optional</c>, <c>required</c>).</summary>
public sealed record ToolExecution([property: JsonProperty("taskSupport")] string TaskSupport);

/// <summary>Hints about a tool's behaviour; clients must not rely on them for security.</summary>
public sealed record ToolAnnotations
{
    [JsonProperty("title", NullValueHandling = NullValueHandling.Ignore)]
    public string? Title { get; init; }

    [JsonProperty("readOnlyHint", NullValueHandling = NullValueHandling.Ignore)]
    public bool? ReadOnlyHint { get; init; }

    [JsonProperty("destructiveHint", NullValueHandling = NullValueHandling.Ignore)]
    public bool? DestructiveHint { get; init; }

    [JsonProperty("idempotentHint", NullValueHandling = NullValueHandling.Ignore)]
    public bool? IdempotentHint { get; init; }

    [JsonProperty("openWorldHint", NullValueHandling = NullValueHandling.Ignore)]
    public bool? OpenWorldHint { get; init; }
}

/// <summary>An icon for display (2025-11-25): a URL or data: URI, with optional MIME type and sizes.</summary>
public sealed record Icon([property: JsonProperty("src")] string Src)
{
    [JsonProperty("mimeType", NullValueHandling = NullValueHandling.Ignore)]
    public string? MimeType { get; init; }

    [JsonProperty("sizes", NullValueHandling = NullValueHandling.Ignore)]
    public IReadOnlyList<string>? Sizes { get; init; }
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
[JsonConverter(typeof(CallToolResultConverter))]
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

    /// <summary>
    /// Writes the result as the serializer would by reflection (members in declaration order, nulls left out), without
    /// the serializer: every tool call ends here, and a serializer run cost about 750 bytes of short-lived objects.
    /// </summary>
    internal void WriteTo(JsonWriter writer) => WriteTo(writer, resultType: null);

    /// <summary>
    /// As <see cref="WriteTo(JsonWriter)"/>, with <c>resultType</c> as the last member when given: the 2026-07-28 era
    /// requires it of every result, and written here it costs no second copy of the response (issue 29).
    /// </summary>
    internal void WriteTo(JsonWriter writer, string? resultType)
    {
        writer.WriteStartObject();
        if (Content is { } content)
        {
            writer.WritePropertyName("content", escape: false);
            writer.WriteStartArray();
            for (var i = 0; i < content.Count; i++)
            {
                if (content[i] is { } block) block.WriteTo(writer);
                else writer.WriteNull();
            }
            writer.WriteEndArray();
        }
        if (StructuredContent is { } structured)
        {
            writer.WritePropertyName("structuredContent", escape: false);
            structured.WriteTo(writer);
        }
        if (IsError is { } isError)
        {
            writer.WritePropertyName("isError", escape: false);
            writer.WriteValue(isError);
        }
        if (resultType is not null)
        {
            writer.WritePropertyName("resultType", escape: false);
            writer.WriteValue(resultType);
        }
        writer.WriteEndObject();
    }
}

/// <summary>Writes a <see cref="CallToolResult"/> through <see cref="CallToolResult.WriteTo(JsonWriter)"/>; reading keeps the serializer's own contract.</summary>
internal sealed class CallToolResultConverter : JsonConverter<CallToolResult>
{
    public override bool CanRead => false;

    public override void WriteJson(JsonWriter writer, CallToolResult? value, JsonSerializer serializer)
    {
        if (value is null) writer.WriteNull();
        else value.WriteTo(writer);
    }

    public override CallToolResult ReadJson(JsonReader reader, Type objectType, CallToolResult? existingValue, bool hasExistingValue, JsonSerializer serializer) =>
        throw new NotSupportedException("Read through the serializer's contract (CanRead is false).");
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
