using System.Collections.Frozen;
using Microsoft.Extensions.Logging;
using Pmcp.Actors.Tools;

namespace Pmcp.Actors.Messages;

/// <summary>
/// The tools of a node at one moment, by name, each with how its failures are answered and its logger. Immutable: the
/// router builds a new one on every change of its tools and sends it to the sessions with the change
/// (<see cref="ToolRouterProtocol.ListChangedEvent"/>), so no actor reads another's state.
/// </summary>
internal sealed class ToolCatalog
{
    private readonly FrozenDictionary<string, CatalogTool> _tools;

    private ToolCatalog(FrozenDictionary<string, CatalogTool> tools) => _tools = tools;

    /// <summary>Builds a catalog; a tool whose name was in <paramref name="previous"/> keeps its logger.</summary>
    internal static ToolCatalog Create(IEnumerable<McpToolDefinition> tools, ILoggerFactory loggers, ToolCatalog? previous = null) =>
        new(tools.ToFrozenDictionary(t => t.Name, t => new CatalogTool(t,
            previous?._tools.GetValueOrDefault(t.Name)?.Outcomes ?? new ToolOutcomes(t.Name, loggers.CreateLogger("Pmcp.Tools." + t.Name))), StringComparer.Ordinal));

    internal CatalogTool? Find(string name) => _tools.GetValueOrDefault(name);

    internal int Count => _tools.Count;
}

/// <summary>A tool of a <see cref="ToolCatalog"/>, found with one lookup per call.</summary>
internal sealed record CatalogTool(McpToolDefinition Definition, ToolOutcomes Outcomes);
