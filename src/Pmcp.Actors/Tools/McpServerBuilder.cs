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

    public McpServerDefinition Build() =>
        new(new Implementation(_name, _version) { Title = _title }, _instructions, _tools.ToArray());
}
