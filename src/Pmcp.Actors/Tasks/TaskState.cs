using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Pmcp.Protocol;

namespace Pmcp.Actors.Tasks;

/// <summary>The statuses of a task, as the wire spells them.</summary>
internal static class TaskStatuses
{
    public const string Working = "working";
    public const string InputRequired = "input_required";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    public static bool IsTerminal(string status) => status is Completed or Failed or Cancelled;
}

/// <summary>
/// What a task is at one moment, as its actor tells it to a session, which renders it in the caller's era
/// (<see cref="Session.TaskMethods.TaskWire"/>). <see cref="InputRequests"/>: what the task waits for from its client, by key (2026-07-28).
/// </summary>
internal sealed record TaskState(
    [property: JsonProperty("taskId")] string TaskId,
    [property: JsonProperty("status")] string Status,
    [property: JsonProperty("createdAt")] string CreatedAt,
    [property: JsonProperty("lastUpdatedAt")] string LastUpdatedAt,
    [property: JsonProperty("ttlMs")] long TtlMs,
    [property: JsonProperty("statusMessage")] string? StatusMessage,
    [property: JsonProperty("result")] string? ResultJson,
    [property: JsonProperty("error")] string? ErrorJson,
    [property: JsonProperty("inputRequests")] Dictionary<string, string>? InputRequests)
{
    public string ToJson() => JsonConvert.SerializeObject(this);

    public static TaskState FromJson(string json) => JsonConvert.DeserializeObject<TaskState>(json)!;

    public static string Now() => DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);

    public JObject? Result => ResultJson is null ? null : McpJson.Parse(ResultJson) as JObject;

    public JObject? Error => ErrorJson is null ? null : McpJson.Parse(ErrorJson) as JObject;
}
