using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Pmcp.Protocol;

namespace Pmcp.Actors.Tools;

/// <summary>
/// Tools declared with C# types instead of a hand-written schema: an arguments class, or a method marked
/// <see cref="McpToolAttribute"/>. The input schema is generated from the type or the parameters
/// (<see cref="ToolSchemas"/> has the rules); each call's arguments are validated against it before the handler runs,
/// and a failure is an <c>isError</c> result naming every offending field. A typed return value becomes
/// <c>structuredContent</c>, with its generated <c>outputSchema</c>, plus a text block holding the same JSON.
/// </summary>
/// <remarks>
/// These build <see cref="McpToolDefinition"/>s, for <see cref="McpServerBuilder.Tool(McpToolDefinition)"/> or
/// <c>McpServerRuntime.AddToolAsync</c>; <see cref="TypedToolBuilderExtensions"/> puts them on the builder.
/// </remarks>
public static partial class TypedTools
{
    /// <summary>A tool whose arguments bind to <typeparamref name="TArgs"/>, an object type.</summary>
    public static McpToolDefinition Create<TArgs>(
        string name,
        Func<TArgs, ToolContext, Task<CallToolResult>> handler,
        string? description = null,
        string? title = null,
        ToolAnnotations? annotations = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var input = InputSchema(typeof(TArgs), name);
        return new McpToolDefinition(name, (JObject)input.Json.DeepClone(), async (arguments, context) =>
        {
            if (Bind(input, arguments, typeof(TArgs), "", out var args) is { } invalid) return invalid;
            return await handler((TArgs)args!, context).ConfigureAwait(false);
        })
        {
            Description = description,
            Title = title,
            Annotations = annotations,
        };
    }

    /// <summary>
    /// A tool whose arguments bind to <typeparamref name="TArgs"/> and whose result is a <typeparamref name="TResult"/>:
    /// an object type gives the tool an <c>outputSchema</c>, and each result becomes <c>structuredContent</c> plus a
    /// text block with the same JSON. (A <c>string</c> becomes a text block, a <see cref="CallToolResult"/> is sent as it is.)
    /// </summary>
    public static McpToolDefinition Create<TArgs, TResult>(
        string name,
        Func<TArgs, ToolContext, Task<TResult>> handler,
        string? description = null,
        string? title = null,
        ToolAnnotations? annotations = null)
        where TResult : class
    {
        ArgumentNullException.ThrowIfNull(handler);
        var input = InputSchema(typeof(TArgs), name);
        var output = ResultShape.For(typeof(TResult));
        return new McpToolDefinition(name, (JObject)input.Json.DeepClone(), async (arguments, context) =>
        {
            if (Bind(input, arguments, typeof(TArgs), "", out var args) is { } invalid) return invalid;
            return output.ToResult(await handler((TArgs)args!, context).ConfigureAwait(false));
        })
        {
            Description = description,
            Title = title,
            Annotations = annotations,
            OutputSchema = output.OutputSchema,
        };
    }

    /// <summary>
    /// One tool for each public method of <paramref name="type"/> marked <see cref="McpToolAttribute"/>: static
    /// methods, and instance methods of <paramref name="target"/> when it is given.
    /// </summary>
    /// <remarks>
    /// Parameters become the input schema's properties (camelCase), required when they have no default value.
    /// Parameters of type <see cref="ToolContext"/>, <see cref="CancellationToken"/>, <see cref="IProgressReporter"/>,
    /// <see cref="IClientSession"/> and <see cref="ILogger"/> are supplied from the call instead. The return type may
    /// be <see cref="CallToolResult"/> (sent as it is), <c>string</c> (a text block), <see cref="ContentBlock"/> or a
    /// sequence of them, an object type (<c>structuredContent</c> and <c>outputSchema</c>), any other value (a text
    /// block with its JSON), <c>void</c> (empty content), or a <see cref="Task"/>/<see cref="ValueTask"/> of any of these.
    /// </remarks>
    public static IReadOnlyList<McpToolDefinition> FromMethods(Type type, object? target = null)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (target is not null && !type.IsInstanceOfType(target))
            throw new ArgumentException($"The target is a {target.GetType()}, not a {type}.", nameof(target));

        var marked = type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.FlattenHierarchy)
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<McpToolAttribute>(true)))
            .Where(m => m.Attribute is not null)
            .OrderBy(m => m.Method.MetadataToken)
            .ToList();
        if (marked.Count == 0)
            throw new ArgumentException($"{type} has no method marked [McpTool].", nameof(type));

        var tools = new List<McpToolDefinition>(marked.Count);
        foreach (var (method, attribute) in marked)
        {
            var where = $"[McpTool(\"{attribute!.Name}\")] {type.Name}.{method.Name}";
            if (!method.IsPublic)
                throw new ArgumentException($"{where} must be public.");
            if (!method.IsStatic && target is null)
                throw new ArgumentException($"{where} is an instance method: pass an instance to ToolsFrom.");
            if (method.ContainsGenericParameters)
                throw new ArgumentException($"{where} must not be generic.");
            if (method.GetParameters().FirstOrDefault(p => p.ParameterType.IsByRef) is { } byRef)
                throw new ArgumentException($"{where}: parameter '{byRef.Name}' must not be ref, out or in.");
            tools.Add(FromMethod(method, method.IsStatic ? null : target, attribute));
        }
        return tools;
    }

    private static McpToolDefinition FromMethod(MethodInfo method, object? target, McpToolAttribute attribute)
    {
        var parameters = method.GetParameters();
        var input = ToolSchemas.ForParameters(parameters.Where(p => !IsInjected(p.ParameterType)));
        var awaiter = ReturnAwaiter.For(method.ReturnType);
        var output = ResultShape.For(awaiter.ValueType);

        async Task<CallToolResult> Handler(JObject arguments, ToolContext context)
        {
            if (input.Validate(arguments) is { } error) return CallToolResult.Error(error);
            var filled = input.WithDefaults(arguments);
            var values = new object?[parameters.Length];
            for (var i = 0; i < parameters.Length; i++)
            {
                var parameter = parameters[i];
                if (Injected(parameter.ParameterType, context, out var injected))
                {
                    values[i] = injected;
                    continue;
                }
                var name = ToolSchemas.JsonName(parameter.Name!);
                if (!filled.TryGetValue(name, out var token))
                {
                    values[i] = parameter.HasDefaultValue ? ToolSchemas.DefaultValueOf(parameter) : null;
                    continue;
                }
                if (Bind(token, parameter.ParameterType, name, out values[i]) is { } invalid) return invalid;
            }

            // DoNotWrapExceptions: what the method throws reaches the worker, and so the client, as the method threw it.
            var returned = method.Invoke(target, BindingFlags.DoNotWrapExceptions, binder: null, values, CultureInfo.InvariantCulture);
            return output.ToResult(await awaiter.AwaitAsync(returned).ConfigureAwait(false));
        }

        return new McpToolDefinition(attribute.Name, (JObject)input.Json.DeepClone(), Handler)
        {
            Description = attribute.Description,
            Title = attribute.Title,
            Annotations = attribute.ToAnnotations(),
            OutputSchema = output.OutputSchema,
            Timeout = attribute.TimeoutSeconds > 0 ? TimeSpan.FromSeconds(attribute.TimeoutSeconds) : null,
            RequiredRoles = attribute.RequiredRoles,
            RequiredScopes = attribute.RequiredScopes,
            TaskSupport = attribute.TaskSupport,
            InputBeforeTask = attribute.InputBeforeTask,
        };
    }

    private static ToolSchema InputSchema(Type type, string toolName)
    {
        var schema = ToolSchemas.Input(type);
        if (!schema.IsObject)
            throw new ArgumentException($"The arguments of tool '{toolName}' must bind to an object type; {type} gives a schema of type {schema.Json["type"]?.ToString(Formatting.None) ?? "(none)"}.");
        return schema;
    }

    /// <summary>Validates, fills in defaults and binds; null when <paramref name="value"/> is set, else the isError result.</summary>
    private static CallToolResult? Bind(ToolSchema schema, JObject arguments, Type type, string field, out object? value)
    {
        value = null;
        if (schema.Validate(arguments) is { } error) return CallToolResult.Error(error);
        return Bind(schema.WithDefaults(arguments), type, field, out value);
    }

    private static CallToolResult? Bind(JToken token, Type type, string field, out object? value)
    {
        try
        {
            value = token.ToObject(type, ToolSchemas.Serializer);
            return null;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidCastException or OverflowException or ArgumentException)
        {
            // The schema let it through, but binding did not: a number too large for its C# type, a constructor that refused it.
            value = null;
            var path = ex switch
            {
                JsonSerializationException s => s.Path,
                JsonReaderException r => r.Path,
                _ => null,
            };
            var at = string.IsNullOrEmpty(path) ? field : field.Length == 0 ? path : path.StartsWith('[') ? field + path : $"{field}.{path}";
            var message = TrailingPath().Replace(ex.Message, "");
            if (ex.InnerException is { } inner && inner is not JsonException) message = $"{message} ({inner.Message})";
            return CallToolResult.Error($"Invalid arguments: {(at.Length == 0 ? "arguments" : at)}: {message}");
        }
    }

    private static bool IsInjected(Type type) =>
        type == typeof(ToolContext) || type == typeof(CancellationToken) || type == typeof(IProgressReporter)
        || type == typeof(IClientSession) || type == typeof(ILogger);

    private static bool Injected(Type type, ToolContext context, out object? value)
    {
        value = type == typeof(ToolContext) ? context
            : type == typeof(CancellationToken) ? context.CancellationToken
            : type == typeof(IProgressReporter) ? context.Progress
            : type == typeof(IClientSession) ? context.Client
            : type == typeof(ILogger) ? context.Logger
            : null;
        return value is not null;
    }

    /// <summary>Newtonsoft's " Path 'x', line 1, position 2." suffix: the field is named in front instead.</summary>
    [GeneratedRegex(@"\s*Path '[^']*'(, line \d+, position \d+)?\.?\s*$")]
    private static partial Regex TrailingPath();
}

/// <summary>Awaits what a tool method returned, whatever of void, a value, Task, Task&lt;T&gt;, ValueTask and ValueTask&lt;T&gt; it is.</summary>
internal sealed class ReturnAwaiter
{
    private readonly Func<object?, Task<object?>> _await;

    private ReturnAwaiter(Type valueType, Func<object?, Task<object?>> await)
    {
        ValueType = valueType;
        _await = await;
    }

    /// <summary>The type of the value once awaited; <c>void</c> for none.</summary>
    public Type ValueType { get; }

    public Task<object?> AwaitAsync(object? returned) => _await(returned);

    public static ReturnAwaiter For(Type returnType)
    {
        if (returnType == typeof(Task) || returnType == typeof(ValueTask))
            return new ReturnAwaiter(typeof(void), async returned => { await AsTask(returned).ConfigureAwait(false); return null; });

        if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() is var definition
            && (definition == typeof(Task<>) || definition == typeof(ValueTask<>)))
        {
            var valueType = returnType.GetGenericArguments()[0];
            var result = typeof(Task<>).MakeGenericType(valueType).GetProperty(nameof(Task<int>.Result))!;
            return new ReturnAwaiter(valueType, async returned =>
            {
                var task = AsTask(returned);
                await task.ConfigureAwait(false);
                return result.GetValue(task);
            });
        }

        return new ReturnAwaiter(returnType, returned => Task.FromResult(returned));
    }

    private static Task AsTask(object? returned) => returned switch
    {
        Task task => task,
        ValueTask valueTask => valueTask.AsTask(),
        null => throw new InvalidOperationException("The tool method returned a null task."),
        // ValueTask<T>: its AsTask gives the Task<T> whose Result is read above.
        _ => (Task)returned.GetType().GetMethod(nameof(ValueTask.AsTask), Type.EmptyTypes)!.Invoke(returned, null)!,
    };
}

/// <summary>How a typed tool's return value becomes a <see cref="CallToolResult"/>, decided once from its type.</summary>
internal sealed class ResultShape
{
    private enum Kind
    {
        Empty,
        Result,
        Text,
        Block,
        Blocks,
        Structured,
        Json,
    }

    private readonly Kind _kind;

    private ResultShape(Kind kind, JObject? outputSchema = null)
    {
        _kind = kind;
        OutputSchema = outputSchema;
    }

    /// <summary>The <c>outputSchema</c> for tools whose value is an object; a fresh copy per call of <see cref="For"/>.</summary>
    public JObject? OutputSchema { get; }

    public static ResultShape For(Type type)
    {
        if (type == typeof(void)) return new ResultShape(Kind.Empty);
        if (typeof(CallToolResult).IsAssignableFrom(type)) return new ResultShape(Kind.Result);
        if (type == typeof(string)) return new ResultShape(Kind.Text);
        if (typeof(ContentBlock).IsAssignableFrom(type)) return new ResultShape(Kind.Block);
        if (typeof(IEnumerable<ContentBlock>).IsAssignableFrom(type)) return new ResultShape(Kind.Blocks);
        if (type.IsPrimitive || type.IsEnum || type == typeof(decimal) || Nullable.GetUnderlyingType(type) is not null || type == typeof(object))
            return new ResultShape(Kind.Json);
        var schema = ToolSchemas.Output(type);
        return schema.IsObject ? new ResultShape(Kind.Structured, (JObject)schema.Json.DeepClone()) : new ResultShape(Kind.Json);
    }

    public CallToolResult ToResult(object? value)
    {
        switch (_kind)
        {
            case Kind.Empty:
                return new CallToolResult();
            case Kind.Result:
                return (CallToolResult?)value ?? throw new InvalidOperationException("The tool returned a null CallToolResult.");
            case Kind.Text:
                return value is string text ? CallToolResult.Text(text) : new CallToolResult();
            case Kind.Block:
                return value is ContentBlock block ? new CallToolResult { Content = [block] } : new CallToolResult();
            case Kind.Blocks:
                return new CallToolResult { Content = ((IEnumerable<ContentBlock>?)value)?.ToArray() ?? [] };
            case Kind.Structured:
                if (value is null)
                    throw new InvalidOperationException("The tool returned null, but its outputSchema requires structured content.");
                var structured = (JObject)ToolSchemas.ToToken(value);
                return new CallToolResult { Content = [new TextContent(structured.ToString(Formatting.None))], StructuredContent = structured };
            default:
                return value is null ? new CallToolResult() : CallToolResult.Text(ToolSchemas.ToToken(value).ToString(Formatting.None));
        }
    }
}

/// <summary>Typed tools on <see cref="McpServerBuilder"/>; see <see cref="TypedTools"/>.</summary>
public static class TypedToolBuilderExtensions
{
    /// <inheritdoc cref="TypedTools.Create{TArgs}"/>
    public static McpServerBuilder Tool<TArgs>(
        this McpServerBuilder builder,
        string name,
        Func<TArgs, ToolContext, Task<CallToolResult>> handler,
        string? description = null,
        string? title = null,
        ToolAnnotations? annotations = null) =>
        builder.Tool(TypedTools.Create(name, handler, description, title, annotations));

    /// <inheritdoc cref="TypedTools.Create{TArgs, TResult}"/>
    public static McpServerBuilder Tool<TArgs, TResult>(
        this McpServerBuilder builder,
        string name,
        Func<TArgs, ToolContext, Task<TResult>> handler,
        string? description = null,
        string? title = null,
        ToolAnnotations? annotations = null)
        where TResult : class =>
        builder.Tool(TypedTools.Create(name, handler, description, title, annotations));

    /// <summary>Adds a tool for each public method of <paramref name="instance"/>'s type marked <see cref="McpToolAttribute"/> (instance and static).</summary>
    public static McpServerBuilder ToolsFrom<T>(this McpServerBuilder builder, T instance)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(instance);
        return builder.AddAll(TypedTools.FromMethods(instance.GetType(), instance));
    }

    /// <summary>Adds a tool for each public static method of <typeparamref name="T"/> marked <see cref="McpToolAttribute"/>.</summary>
    public static McpServerBuilder ToolsFrom<T>(this McpServerBuilder builder) => builder.ToolsFrom(typeof(T));

    /// <summary>Adds a tool for each public static method of <paramref name="type"/> marked <see cref="McpToolAttribute"/> (static classes too).</summary>
    public static McpServerBuilder ToolsFrom(this McpServerBuilder builder, Type type) => builder.AddAll(TypedTools.FromMethods(type));

    private static McpServerBuilder AddAll(this McpServerBuilder builder, IEnumerable<McpToolDefinition> tools)
    {
        foreach (var tool in tools) builder.Tool(tool);
        return builder;
    }
}
