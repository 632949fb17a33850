using System.Collections.Immutable;
using Pmcp.Actors.Tools;

namespace Pmcp.Actors.Transport;

/// <summary>
/// Which tools mark arguments with <c>x-mcp-header</c>, and which: read by every 2026-07-28 HTTP request to a tool
/// (<see cref="ModernHttpExchange"/>), so it is an immutable map swapped whole on each change, read without a lock. It
/// starts from the server's definition and follows <see cref="Hosting.McpServerRuntime.AddToolAsync"/> and
/// <see cref="Hosting.McpServerRuntime.RemoveToolAsync"/>. Tools without marks are not in it.
/// </summary>
internal sealed class ToolParamHeaderIndex
{
    private ImmutableDictionary<string, IReadOnlyList<ParamHeader>> _marks = ImmutableDictionary.Create<string, IReadOnlyList<ParamHeader>>(StringComparer.Ordinal);

    public ToolParamHeaderIndex(IEnumerable<McpToolDefinition> tools)
    {
        foreach (var tool in tools) Set(tool);
    }

    /// <summary>The marked arguments of the tool named <paramref name="tool"/>; null when it marks none (or is unknown).</summary>
    public IReadOnlyList<ParamHeader>? For(string tool) => Volatile.Read(ref _marks).GetValueOrDefault(tool);

    public void Set(McpToolDefinition tool)
    {
        var marks = ParamHeaders.Find(tool.InputSchema);
        ImmutableInterlocked.Update(ref _marks, m => marks.Count == 0 ? m.Remove(tool.Name) : m.SetItem(tool.Name, marks));
    }

    public void Remove(string tool) => ImmutableInterlocked.Update(ref _marks, m => m.Remove(tool));
}
