using System.Text.RegularExpressions;
using Newtonsoft.Json.Linq;
using Pmcp.Protocol;

namespace Pmcp.Actors.Tools;

/// <summary>Runs one tool call: the arguments object (empty when the client sent none) and the call's context.</summary>
public delegate Task<CallToolResult> McpToolHandler(JObject arguments, ToolContext context);

/// <summary>Runs one tool call with its arguments as the client sent them (<see cref="ToolArguments"/>), and the call's context.</summary>
public delegate Task<CallToolResult> McpToolArgumentsHandler(ToolArguments arguments, ToolContext context);

/// <summary>A tool: what <c>tools/list</c> shows of it and the handler that <c>tools/call</c> runs.</summary>
public sealed partial record McpToolDefinition(string Name, JObject InputSchema, McpToolHandler Handler)
{
    private readonly McpToolHandler _handler = Handler;

    /// <summary>
    /// The handler, given the arguments as a Json.NET object. For a tool made with <see cref="ForArguments"/> it makes
    /// that object and calls the other handler; setting it (<c>with { Handler = ... }</c>) replaces both.
    /// </summary>
    public McpToolHandler Handler
    {
        get => _handler;
        init
        {
            _handler = value;
            ArgumentsHandler = null;
        }
    }

    /// <summary>The handler of a tool made with <see cref="ForArguments"/>, which <c>tools/call</c> runs instead of <see cref="Handler"/>.</summary>
    internal McpToolArgumentsHandler? ArgumentsHandler { get; private init; }

    /// <summary>
    /// A tool whose handler reads its arguments from the JSON the client sent (<see cref="ToolArguments"/>) instead of a
    /// Json.NET object: a string or a typed object read that way costs a fraction of the object (issue 29).
    /// </summary>
    public static McpToolDefinition ForArguments(string name, JObject inputSchema, McpToolArgumentsHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return new McpToolDefinition(name, inputSchema, (arguments, context) => handler(new ToolArguments(arguments), context)) { ArgumentsHandler = handler };
    }

    public string? Title { get; init; }

    public string? Description { get; init; }

    /// <summary>The schema of <c>structuredContent</c>; a tool that declares one must return conforming structured content.</summary>
    public JObject? OutputSchema { get; init; }

    public ToolAnnotations? Annotations { get; init; }

    public IReadOnlyList<Icon>? Icons { get; init; }

    /// <summary>
    /// Running the tool twice with the same arguments does no harm. In a cluster, a call whose tool node is lost before it
    /// answers is then sent to another tool node instead of being answered with an <c>isError</c> result. Not inferred from
    /// <see cref="ToolAnnotations"/>' hints, which clients are told not to trust.
    /// </summary>
    public bool Idempotent { get; init; }

    /// <summary>
    /// Whether a call may (or must) run as a task: answered at once with the task, its result read later from any node
    /// (<c>execution.taskSupport</c> in <c>tools/list</c>). Needs <c>WithMcpTasks</c> on the server; the handler is the same.
    /// </summary>
    public TaskSupport TaskSupport { get; init; }

    /// <summary>
    /// The handler gathers its input in the request itself and becomes a task only where it calls
    /// <see cref="ToolContext.ContinueAsTaskAsync"/>. In 2026-07-28 a call that may become a task then answers with
    /// <c>InputRequiredResult</c> rounds until the handler has what it asked for, and with the <c>CreateTaskResult</c> on
    /// the round where it continues as a task: the task runs the handler again from the start, with the answers of those
    /// rounds. Without it (the default) such a call becomes a task at once, and what the handler asks makes the task
    /// <c>input_required</c>. A 2025-11-25 <c>params.task</c> call always becomes a task at once.
    /// </summary>
    public bool InputBeforeTask { get; init; }

    /// <summary>This tool's own call timeout; null takes <see cref="McpServerOptions.ToolCallTimeout"/>.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>
    /// Roles the caller must all have (<c>ClaimsPrincipal.IsInRole</c>). A call without them is answered with an
    /// <c>isError</c> result before the handler runs; <c>tools/list</c> still lists the tool. Null or empty: no requirement.
    /// </summary>
    public IReadOnlyList<string>? RequiredRoles { get; init; }

    /// <summary>
    /// OAuth scopes the caller must all have (the space-separated values of its <c>scope</c> or <c>scp</c> claims);
    /// refused like <see cref="RequiredRoles"/>.
    /// </summary>
    public IReadOnlyList<string>? RequiredScopes { get; init; }

    internal bool HasRequirements => RequiredRoles is { Count: > 0 } || RequiredScopes is { Count: > 0 };

    /// <summary>Why <paramref name="user"/> may not call this tool, or null when it may.</summary>
    internal string? Refusal(System.Security.Claims.ClaimsPrincipal user)
    {
        if (RequiredRoles is { Count: > 0 } roles && roles.FirstOrDefault(r => !user.IsInRole(r)) is { } role)
            return $"Forbidden: tool '{Name}' requires the role '{role}'.";
        if (RequiredScopes is { Count: > 0 } scopes)
        {
            var granted = Security.CallerIdentity.Scopes(user);
            if (scopes.FirstOrDefault(s => !granted.Contains(s)) is { } scope)
                return $"Forbidden: tool '{Name}' requires the scope '{scope}'.";
        }
        return null;
    }

    /// <summary>The schema used when a tool declares none: an object that takes no arguments.</summary>
    public static JObject EmptyInputSchema() => new() { ["type"] = "object", ["additionalProperties"] = false };

    /// <summary>The spec's rule for tool names (2025-11-25): 1 to 128 characters of letters, digits, '_', '-' and '.'.</summary>
    public static bool IsValidName(string? name) => name is not null && NamePattern().IsMatch(name);

    internal void Validate()
    {
        if (!IsValidName(Name))
            throw new ArgumentException($"Tool name '{Name}' is invalid: use 1 to 128 characters of A-Z, a-z, 0-9, '_', '-' and '.'.");
        if ((string?)InputSchema["type"] != "object")
            throw new ArgumentException($"The input schema of tool '{Name}' must have \"type\": \"object\".");
        if (OutputSchema is not null && (string?)OutputSchema["type"] != "object")
            throw new ArgumentException($"The output schema of tool '{Name}' must have \"type\": \"object\".");
        if (Timeout is { } t && t <= TimeSpan.Zero)
            throw new ArgumentException($"The timeout of tool '{Name}' must be positive.");
    }

    internal Tool ToProtocol() => new(Name, InputSchema)
    {
        Title = Title,
        Description = Description,
        OutputSchema = OutputSchema,
        Annotations = Annotations,
        Icons = Icons,
        Execution = TaskSupport == TaskSupport.Forbidden ? null : new ToolExecution(TaskSupport == TaskSupport.Required ? "required" : "optional"),
    };

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,128}$")]
    private static partial Regex NamePattern();
}
