using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Pmcp.Protocol;

/// <summary>The params of <c>notifications/message</c>: one log entry a server sends its client.</summary>
public sealed record LoggingMessageParams(
    [property: JsonProperty("level")] string Level,
    [property: JsonProperty("data")] JToken? Data)
{
    /// <summary>The name of the logger that wrote the entry, when the server gives one.</summary>
    [JsonProperty("logger", NullValueHandling = NullValueHandling.Ignore)]
    public string? Logger { get; init; }
}
