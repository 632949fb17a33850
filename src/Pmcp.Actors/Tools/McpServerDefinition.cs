using Newtonsoft.Json.Linq;
using Pmcp.Protocol;

namespace Pmcp.Actors.Tools;

/// <summary>What a server is: its identity, its instructions, its tools, resources and prompts. Built by <see cref="McpServerBuilder"/>.</summary>
public sealed class McpServerDefinition
{
    internal McpServerDefinition(
        Implementation serverInfo,
        string? instructions,
        IReadOnlyList<McpToolDefinition> tools,
        IReadOnlyList<McpResourceDefinition> resources,
        IReadOnlyList<McpResourceTemplateDefinition> resourceTemplates,
        IReadOnlyList<McpPromptDefinition> prompts)
    {
        ServerInfo = serverInfo;
        Instructions = instructions;
        Tools = tools;
        Resources = resources;
        ResourceTemplates = resourceTemplates;
        Prompts = prompts;
        var hasResources = resources.Count > 0 || resourceTemplates.Count > 0;
        Capabilities = new ServerCapabilities
        {
            Tools = tools.Count > 0 ? new ToolsCapability { ListChanged = true } : null,
            Resources = hasResources ? new ResourcesCapability { Subscribe = true, ListChanged = true } : null,
            Prompts = prompts.Count > 0 ? new PromptsCapability { ListChanged = true } : null,
            Completions = prompts.Any(p => p.Completers.Count > 0) || resourceTemplates.Any(t => t.Completers.Count > 0) ? [] : null,
            Logging = [],
        };
    }

    public Implementation ServerInfo { get; }

    public string? Instructions { get; }

    /// <summary>The tools, in the order they were added (the order of <c>tools/list</c>).</summary>
    public IReadOnlyList<McpToolDefinition> Tools { get; }

    public IReadOnlyList<McpResourceDefinition> Resources { get; }

    public IReadOnlyList<McpResourceTemplateDefinition> ResourceTemplates { get; }

    public IReadOnlyList<McpPromptDefinition> Prompts { get; }

    /// <summary>
    /// Capabilities announced in the initialize result: exactly what was registered when the server was built
    /// (a kind of feature added only at run time is not announced), plus <c>logging</c>, which every session has.
    /// </summary>
    public ServerCapabilities Capabilities { get; }
}
