using System.Reflection;
using Newtonsoft.Json.Linq;
using Pmcp.Protocol;

namespace Pmcp.Actors.Tools;

/// <summary>
/// Describes a server: <c>new McpServerBuilder().Name("ws-server").Version("1.0.0").Tool("echo", handler).Build()</c>.
/// </summary>
public sealed class McpServerBuilder
{
    private readonly List<McpToolDefinition> _tools = [];
    private readonly List<McpResourceDefinition> _resources = [];
    private readonly List<McpResourceTemplateDefinition> _templates = [];
    private readonly List<McpPromptDefinition> _prompts = [];
    private string _name = "pmcp-actors";
    private string _version = typeof(McpServerBuilder).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
    private string? _title;
    private string? _instructions;

    public McpServerBuilder Name(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _name = name;
        return this;
    }

    public McpServerBuilder Version(string version)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        _version = version;
        return this;
    }

    public McpServerBuilder Title(string? title)
    {
        _title = title;
        return this;
    }

    /// <summary>Text the initialize result carries to tell a model how to use this server.</summary>
    public McpServerBuilder Instructions(string? instructions)
    {
        _instructions = instructions;
        return this;
    }

    public McpServerBuilder Tool(string name, McpToolHandler handler, string? description = null, JObject? inputSchema = null, string? title = null) =>
        Tool(new McpToolDefinition(name, inputSchema ?? McpToolDefinition.EmptyInputSchema(), handler) { Description = description, Title = title });

    public McpServerBuilder Tool(McpToolDefinition tool)
    {
        ArgumentNullException.ThrowIfNull(tool);
        tool.Validate();
        if (_tools.Any(t => t.Name == tool.Name))
            throw new ArgumentException($"A tool named '{tool.Name}' is already registered.");
        _tools.Add(tool);
        return this;
    }

    /// <summary>A resource at a fixed URI.</summary>
    public McpServerBuilder Resource(string uri, string name, McpResourceReader reader, string? description = null, string? mimeType = null) =>
        Resource(new McpResourceDefinition(uri, name, reader) { Description = description, MimeType = mimeType });

    public McpServerBuilder Resource(McpResourceDefinition resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentException.ThrowIfNullOrWhiteSpace(resource.Uri);
        if (_resources.Any(r => r.Uri == resource.Uri)) throw new ArgumentException($"A resource at '{resource.Uri}' is already registered.");
        _resources.Add(resource);
        return this;
    }

    /// <summary>Resources named by an RFC 6570 URI template (levels 1 and 2: <c>{var}</c>, <c>{+var}</c>).</summary>
    public McpServerBuilder ResourceTemplate(McpResourceTemplateDefinition template)
    {
        ArgumentNullException.ThrowIfNull(template);
        _ = template.Matcher; // an unsupported template fails here, not on the first read
        foreach (var variable in template.Completers.Keys)
        {
            if (!template.Matcher.Variables.Contains(variable))
                throw new ArgumentException($"Template '{template.UriTemplate}' has no variable '{variable}' to complete.");
        }
        _templates.Add(template);
        return this;
    }

    public McpServerBuilder Prompt(McpPromptDefinition prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentException.ThrowIfNullOrWhiteSpace(prompt.Name);
        if (_prompts.Any(p => p.Name == prompt.Name)) throw new ArgumentException($"A prompt named '{prompt.Name}' is already registered.");
        foreach (var argument in prompt.Completers.Keys)
        {
            if (prompt.Arguments.All(a => a.Name != argument))
                throw new ArgumentException($"Prompt '{prompt.Name}' has no argument '{argument}' to complete.");
        }
        _prompts.Add(prompt);
        return this;
    }

    public McpServerDefinition Build() =>
        new(new Implementation(_name, _version) { Title = _title }, _instructions, [.. _tools], [.. _resources], [.. _templates], [.. _prompts]);
}
