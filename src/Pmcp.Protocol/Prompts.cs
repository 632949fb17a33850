using Newtonsoft.Json;

namespace Pmcp.Protocol;

public sealed record PromptArgument([property: JsonProperty("name")] string Name)
{
    [JsonProperty("description", NullValueHandling = NullValueHandling.Ignore)]
    public string? Description { get; init; }

    [JsonProperty("required", NullValueHandling = NullValueHandling.Ignore)]
    public bool? Required { get; init; }
}

/// <summary>A prompt template as <c>prompts/list</c> shows it.</summary>
public sealed record Prompt([property: JsonProperty("name")] string Name)
{
    [JsonProperty("title", NullValueHandling = NullValueHandling.Ignore)]
    public string? Title { get; init; }

    [JsonProperty("description", NullValueHandling = NullValueHandling.Ignore)]
    public string? Description { get; init; }

    [JsonProperty("arguments", NullValueHandling = NullValueHandling.Ignore)]
    public IReadOnlyList<PromptArgument>? Arguments { get; init; }
}

public sealed record ListPromptsResult([property: JsonProperty("prompts")] IReadOnlyList<Prompt> Prompts)
{
    [JsonProperty("nextCursor", NullValueHandling = NullValueHandling.Ignore)]
    public string? NextCursor { get; init; }
}

public sealed record PromptMessage(
    [property: JsonProperty("role")] string Role,
    [property: JsonProperty("content")] ContentBlock Content);

public sealed record GetPromptResult([property: JsonProperty("messages")] IReadOnlyList<PromptMessage> Messages)
{
    [JsonProperty("description", NullValueHandling = NullValueHandling.Ignore)]
    public string? Description { get; init; }
}

/// <summary>The answer of <c>completion/complete</c>: at most 100 values.</summary>
public sealed record Completion([property: JsonProperty("values")] IReadOnlyList<string> Values)
{
    [JsonProperty("total", NullValueHandling = NullValueHandling.Ignore)]
    public int? Total { get; init; }

    [JsonProperty("hasMore", NullValueHandling = NullValueHandling.Ignore)]
    public bool? HasMore { get; init; }
}

public sealed record CompleteResult([property: JsonProperty("completion")] Completion Completion);
