using Pmcp.Protocol;

namespace Pmcp.Actors.Tools;

/// <summary>Reads a resource: its URI, the template's variables (empty for a fixed resource) and the request's context.</summary>
public delegate Task<ReadResourceResult> McpResourceReader(string uri, IReadOnlyDictionary<string, string> variables, ToolContext context);

/// <summary>Suggests values for an argument or template variable, given what the user typed and the other arguments so far.</summary>
public delegate Task<IReadOnlyList<string>> McpCompleter(string value, IReadOnlyDictionary<string, string> context, CancellationToken cancellationToken);

/// <summary>A resource at a fixed URI.</summary>
public sealed record McpResourceDefinition(string Uri, string Name, McpResourceReader Reader)
{
    public string? Title { get; init; }

    public string? Description { get; init; }

    public string? MimeType { get; init; }

    internal Resource ToProtocol() => new(Uri, Name) { Title = Title, Description = Description, MimeType = MimeType };
}

/// <summary>Resources named by a URI template such as <c>test://items/{id}</c>; each variable may have a completer.</summary>
public sealed record McpResourceTemplateDefinition(string UriTemplate, string Name, McpResourceReader Reader)
{
    private UriTemplateMatcher? _matcher;

    public string? Title { get; init; }

    public string? Description { get; init; }

    public string? MimeType { get; init; }

    /// <summary>Completers by variable name, for <c>completion/complete</c> with a <c>ref/resource</c>.</summary>
    public IReadOnlyDictionary<string, McpCompleter> Completers { get; init; } = new Dictionary<string, McpCompleter>();

    internal UriTemplateMatcher Matcher => _matcher ??= new UriTemplateMatcher(UriTemplate);

    internal ResourceTemplate ToProtocol() => new(UriTemplate, Name) { Title = Title, Description = Description, MimeType = MimeType };
}

/// <summary>Renders a prompt from its arguments.</summary>
public delegate Task<GetPromptResult> McpPromptHandler(IReadOnlyDictionary<string, string> arguments, ToolContext context);

/// <summary>A prompt template with named arguments; required ones are checked before the handler runs (-32602).</summary>
public sealed record McpPromptDefinition(string Name, McpPromptHandler Handler)
{
    public string? Title { get; init; }

    public string? Description { get; init; }

    public IReadOnlyList<PromptArgument> Arguments { get; init; } = [];

    /// <summary>Completers by argument name, for <c>completion/complete</c> with a <c>ref/prompt</c>.</summary>
    public IReadOnlyDictionary<string, McpCompleter> Completers { get; init; } = new Dictionary<string, McpCompleter>();

    internal Prompt ToProtocol() => new(Name) { Title = Title, Description = Description, Arguments = Arguments.Count == 0 ? null : Arguments };
}
