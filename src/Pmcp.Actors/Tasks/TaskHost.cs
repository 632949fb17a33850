using System.Collections.Frozen;
using Microsoft.Extensions.Logging;
using Pmcp.Actors.Messages;
using Pmcp.Actors.Tools;

namespace Pmcp.Actors.Tasks;

/// <summary>What every task actor of a node shares: the tools that may run as tasks (each with its outcomes and logger) and the options.</summary>
internal sealed class TaskHost(IEnumerable<McpToolDefinition> tools, McpTaskOptions options, ILoggerFactory loggers)
{
    private readonly FrozenDictionary<string, TaskTool> _tools = tools
        .Where(t => t.TaskSupport != TaskSupport.Forbidden)
        .ToFrozenDictionary(t => t.Name, t => new TaskTool(t, new TaskOutcomes(t.Name, loggers.CreateLogger("Pmcp.Tools." + t.Name))), StringComparer.Ordinal);

    public McpTaskOptions Options { get; } = options;

    public TaskTool? Find(string name) => _tools.GetValueOrDefault(name);
}

internal sealed record TaskTool(McpToolDefinition Definition, TaskOutcomes Outcomes);
