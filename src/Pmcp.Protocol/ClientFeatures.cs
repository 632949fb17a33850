using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Pmcp.Protocol;

/// <summary>The log levels of <c>logging/setLevel</c> and <c>notifications/message</c> (RFC 5424), least severe first.</summary>
public static class LoggingLevels
{
    private static readonly string[] Levels = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"];

    public static IReadOnlyList<string> All { get; } = Array.AsReadOnly(Levels);

    /// <summary>The rank of a level (0 = debug), or -1 for a name that is not a level. Asked on every log message and every renewed request session: makes nothing.</summary>
    public static int Rank(string? level) => level is null ? -1 : Array.IndexOf(Levels, level);
}

/// <summary>One message of a sampling conversation.</summary>
public sealed record SamplingMessage(
    [property: JsonProperty("role")] string Role,
    [property: JsonProperty("content")] ContentBlock Content);

/// <summary>Params of <c>sampling/createMessage</c>: the server asks the client's model for a completion.</summary>
public sealed record CreateMessageParams(
    [property: JsonProperty("messages")] IReadOnlyList<SamplingMessage> Messages,
    [property: JsonProperty("maxTokens")] int MaxTokens)
{
    [JsonProperty("systemPrompt", NullValueHandling = NullValueHandling.Ignore)]
    public string? SystemPrompt { get; init; }

    [JsonProperty("temperature", NullValueHandling = NullValueHandling.Ignore)]
    public double? Temperature { get; init; }

    [JsonProperty("stopSequences", NullValueHandling = NullValueHandling.Ignore)]
    public IReadOnlyList<string>? StopSequences { get; init; }

    [JsonProperty("modelPreferences", NullValueHandling = NullValueHandling.Ignore)]
    public JObject? ModelPreferences { get; init; }

    [JsonProperty("includeContext", NullValueHandling = NullValueHandling.Ignore)]
    public string? IncludeContext { get; init; }
}

public sealed record CreateMessageResult(
    [property: JsonProperty("role")] string Role,
    [property: JsonProperty("content")] ContentBlock Content,
    [property: JsonProperty("model")] string Model)
{
    [JsonProperty("stopReason", NullValueHandling = NullValueHandling.Ignore)]
    public string? StopReason { get; init; }
}

/// <summary>
/// Params of <c>elicitation/create</c>. Form mode carries a flat object schema of primitive fields; URL mode
/// (2025-11-25) sends the user to <see cref="Url"/> instead.
/// </summary>
public sealed record ElicitParams([property: JsonProperty("message")] string Message)
{
    [JsonProperty("mode", NullValueHandling = NullValueHandling.Ignore)]
    public string? Mode { get; init; }

    [JsonProperty("requestedSchema", NullValueHandling = NullValueHandling.Ignore)]
    public JObject? RequestedSchema { get; init; }

    [JsonProperty("url", NullValueHandling = NullValueHandling.Ignore)]
    public string? Url { get; init; }

    [JsonProperty("elicitationId", NullValueHandling = NullValueHandling.Ignore)]
    public string? ElicitationId { get; init; }

    public static ElicitParams Form(string message, JObject requestedSchema) => new(message) { Mode = "form", RequestedSchema = requestedSchema };

    public static ElicitParams ForUrl(string message, string url, string elicitationId) => new(message) { Mode = "url", Url = url, ElicitationId = elicitationId };
}

/// <summary>The user's answer: <c>accept</c> (with <see cref="Content"/> in form mode), <c>decline</c> or <c>cancel</c>.</summary>
public sealed record ElicitResult([property: JsonProperty("action")] string Action)
{
    [JsonProperty("content", NullValueHandling = NullValueHandling.Ignore)]
    public JObject? Content { get; init; }
}

public sealed record Root([property: JsonProperty("uri")] string Uri)
{
    [JsonProperty("name", NullValueHandling = NullValueHandling.Ignore)]
    public string? Name { get; init; }
}

public sealed record ListRootsResult([property: JsonProperty("roots")] IReadOnlyList<Root> Roots);
