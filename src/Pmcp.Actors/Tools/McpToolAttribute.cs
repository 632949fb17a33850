using Pmcp.Protocol;

namespace Pmcp.Actors.Tools;

/// <summary>
/// Marks a public method as a tool for <see cref="TypedToolBuilderExtensions.ToolsFrom{T}(McpServerBuilder, T)"/>:
/// its parameters become the input schema, its return value the result (see <see cref="TypedTools"/>).
/// </summary>
/// <remarks>
/// The behaviour hints (<see cref="ReadOnly"/>, <see cref="Destructive"/>, <see cref="Idempotent"/>,
/// <see cref="OpenWorld"/>) go into the tool's annotations only when they are set; an unset hint is left out so that
/// clients apply the spec's defaults.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class McpToolAttribute(string name) : Attribute
{
    private bool? _readOnly;
    private bool? _destructive;
    private bool? _idempotent;
    private bool? _openWorld;

    /// <summary>The tool's name (1 to 128 characters of A-Z, a-z, 0-9, '_', '-' and '.').</summary>
    public string Name { get; } = name;

    public string? Description { get; set; }

    /// <summary>A human-readable name for display; also sent as the annotations' title.</summary>
    public string? Title { get; set; }

    /// <summary><c>readOnlyHint</c>: the tool does not modify its environment.</summary>
    public bool ReadOnly
    {
        get => _readOnly ?? false;
        set => _readOnly = value;
    }

    /// <summary><c>destructiveHint</c>: the tool may perform destructive updates.</summary>
    public bool Destructive
    {
        get => _destructive ?? false;
        set => _destructive = value;
    }

    /// <summary><c>idempotentHint</c>: calling it again with the same arguments has no further effect.</summary>
    public bool Idempotent
    {
        get => _idempotent ?? false;
        set => _idempotent = value;
    }

    /// <summary><c>openWorldHint</c>: the tool interacts with an open world of external entities.</summary>
    public bool OpenWorld
    {
        get => _openWorld ?? false;
        set => _openWorld = value;
    }

    /// <summary>This tool's call timeout in seconds; 0 (the default) takes <see cref="McpServerOptions.ToolCallTimeout"/>.</summary>
    public double TimeoutSeconds { get; set; }

    /// <summary>Whether calls may (or must) run as tasks (<see cref="McpToolDefinition.TaskSupport"/>).</summary>
    public TaskSupport TaskSupport { get; set; }

    /// <summary>The handler asks for its input before it becomes a task (<see cref="McpToolDefinition.InputBeforeTask"/>).</summary>
    public bool InputBeforeTask { get; set; }

    /// <summary>Roles the caller must all have (<see cref="McpToolDefinition.RequiredRoles"/>).</summary>
    public string[]? RequiredRoles { get; set; }

    /// <summary>OAuth scopes the caller must all have (<see cref="McpToolDefinition.RequiredScopes"/>).</summary>
    public string[]? RequiredScopes { get; set; }

    /// <summary>The annotations this attribute describes, or null when it sets none.</summary>
    internal ToolAnnotations? ToAnnotations() =>
        Title is null && _readOnly is null && _destructive is null && _idempotent is null && _openWorld is null
            ? null
            : new ToolAnnotations
            {
                Title = Title,
                ReadOnlyHint = _readOnly,
                DestructiveHint = _destructive,
                IdempotentHint = _idempotent,
                OpenWorldHint = _openWorld,
            };
}
