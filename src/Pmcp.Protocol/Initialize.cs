using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Pmcp.Protocol;

/// <summary>Name and version of a client or server (<c>clientInfo</c>, <c>serverInfo</c>).</summary>
public sealed record Implementation(
    [property: JsonProperty("name")] string Name,
    [property: JsonProperty("version")] string Version)
{
    [JsonProperty("title", NullValueHandling = NullValueHandling.Ignore)]
    public string? Title { get; init; }

    [JsonProperty("description", NullValueHandling = NullValueHandling.Ignore)]
    public string? Description { get; init; }
}

/// <summary>The <c>tools</c> server capability.</summary>
public sealed record ToolsCapability
{
    [JsonProperty("listChanged", NullValueHandling = NullValueHandling.Ignore)]
    public bool? ListChanged { get; init; }
}

/// <summary>The <c>resources</c> server capability.</summary>
public sealed record ResourcesCapability
{
    [JsonProperty("subscribe", NullValueHandling = NullValueHandling.Ignore)]
    public bool? Subscribe { get; init; }

    [JsonProperty("listChanged", NullValueHandling = NullValueHandling.Ignore)]
    public bool? ListChanged { get; init; }
}

/// <summary>The <c>prompts</c> server capability.</summary>
public sealed record PromptsCapability
{
    [JsonProperty("listChanged", NullValueHandling = NullValueHandling.Ignore)]
    public bool? ListChanged { get; init; }
}

/// <summary>What a server offers, as announced in the initialize result.</summary>
public sealed record ServerCapabilities
{
    [JsonProperty("tools", NullValueHandling = NullValueHandling.Ignore)]
    public ToolsCapability? Tools { get; init; }

    [JsonProperty("resources", NullValueHandling = NullValueHandling.Ignore)]
    public ResourcesCapability? Resources { get; init; }

    [JsonProperty("prompts", NullValueHandling = NullValueHandling.Ignore)]
    public PromptsCapability? Prompts { get; init; }

    [JsonProperty("completions", NullValueHandling = NullValueHandling.Ignore)]
    public JObject? Completions { get; init; }

    [JsonProperty("logging", NullValueHandling = NullValueHandling.Ignore)]
    public JObject? Logging { get; init; }

    [JsonProperty("experimental", NullValueHandling = NullValueHandling.Ignore)]
    public JObject? Experimental { get; init; }

    /// <summary>2025-11-25 tasks: <c>{list, cancel, requests: {tools: {call}}}</c>.</summary>
    [JsonProperty("tasks", NullValueHandling = NullValueHandling.Ignore)]
    public JObject? Tasks { get; init; }

    /// <summary>2026-07-28 extensions the server speaks, by id (e.g. <c>io.modelcontextprotocol/tasks</c>).</summary>
    [JsonProperty("extensions", NullValueHandling = NullValueHandling.Ignore)]
    public JObject? Extensions { get; init; }

    public static ServerCapabilities ToolsOnly() => new() { Tools = new ToolsCapability { ListChanged = true } };
}

/// <summary>What a client offers. Kept as open objects: the server only needs to know which are present.</summary>
public sealed record ClientCapabilities
{
    [JsonProperty("roots", NullValueHandling = NullValueHandling.Ignore)]
    public JObject? Roots { get; init; }

    [JsonProperty("sampling", NullValueHandling = NullValueHandling.Ignore)]
    public JObject? Sampling { get; init; }

    [JsonProperty("elicitation", NullValueHandling = NullValueHandling.Ignore)]
    public JObject? Elicitation { get; init; }

    [JsonProperty("experimental", NullValueHandling = NullValueHandling.Ignore)]
    public JObject? Experimental { get; init; }

    /// <summary>No optional client features: enough to list and call tools.</summary>
    public static ClientCapabilities Minimal() => new();
}

public sealed record InitializeParams(
    [property: JsonProperty("protocolVersion")] string ProtocolVersion,
    [property: JsonProperty("capabilities")] ClientCapabilities Capabilities,
    [property: JsonProperty("clientInfo")] Implementation ClientInfo);

public sealed record InitializeResult(
    [property: JsonProperty("protocolVersion")] string ProtocolVersion,
    [property: JsonProperty("capabilities")] ServerCapabilities Capabilities,
    [property: JsonProperty("serverInfo")] Implementation ServerInfo)
{
    [JsonProperty("instructions", NullValueHandling = NullValueHandling.Ignore)]
    public string? Instructions { get; init; }
}
