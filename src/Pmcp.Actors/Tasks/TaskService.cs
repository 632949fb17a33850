using System.Collections.Frozen;
using System.Runtime.CompilerServices;
using Akka.Actor;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Tools;
using static Pmcp.Actors.Tasks.TaskProtocol;

namespace Pmcp.Actors.Tasks;

/// <summary>
/// The sessions' way to tasks on one node: which tools may run as tasks, the TTL a task gets, and the shard region that
/// finds a task by id wherever it lives (asked at the edge, like the endpoint asks the server actor). Made by
/// <see cref="TaskRegion.Start"/>; a node without one serves no tasks (and announces none).
/// </summary>
internal sealed class TaskService(IActorRef region, McpTaskOptions options, IEnumerable<McpToolDefinition> tools)
{
    private static readonly ConditionalWeakTable<ActorSystem, TaskService> BySystem = [];

    private readonly FrozenDictionary<string, TaskSupport> _support = tools
        .Where(t => t.TaskSupport != TaskSupport.Forbidden)
        .ToFrozenDictionary(t => t.Name, t => t.TaskSupport, StringComparer.Ordinal);

    private readonly FrozenSet<string> _asksFirst = tools
        .Where(t => t.TaskSupport != TaskSupport.Forbidden && t.InputBeforeTask)
        .Select(t => t.Name)
        .ToFrozenSet(StringComparer.Ordinal);

    public McpTaskOptions Options { get; } = options;

    public IActorRef Region { get; } = region;

    /// <summary>The tasks of <paramref name="system"/>, or null when it runs none.</summary>
    public static TaskService? For(ActorSystem system) => BySystem.TryGetValue(system, out var service) ? service : null;

    internal static void Register(ActorSystem system, TaskService service) => BySystem.AddOrUpdate(system, service);

    public TaskSupport SupportOf(string? tool) => tool is not null && _support.TryGetValue(tool, out var support) ? support : TaskSupport.Forbidden;

    /// <summary>Whether <paramref name="tool"/> asks for its input before it becomes a task (<see cref="McpToolDefinition.InputBeforeTask"/>).</summary>
    public bool AsksBeforeTask(string? tool) => tool is not null && _asksFirst.Contains(tool);

    /// <summary>The TTL of a new task: what the client asked for (milliseconds), within the server's bounds; the default when it asked for none.</summary>
    public long TtlMs(JToken? requested)
    {
        var max = (long)Options.MaxTtl.TotalMilliseconds;
        return requested is JValue { Type: JTokenType.Integer or JTokenType.Float } value && (double)value > 0
            ? Math.Min((long)(double)value, max)
            : (long)Options.DefaultTtl.TotalMilliseconds;
    }

    public long PollIntervalMs => (long)Options.PollInterval.TotalMilliseconds;

    /// <summary>Asks the task's entity; <paramref name="timeout"/> defaults to <see cref="McpTaskOptions.StoreTimeout"/>.</summary>
    public Task<TaskAnswer> AskAsync(ITaskMessage message, CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        Region.Ask<TaskAnswer>(message, timeout ?? Options.StoreTimeout, cancellationToken);
}
