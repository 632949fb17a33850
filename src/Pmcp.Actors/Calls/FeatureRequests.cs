using Newtonsoft.Json.Linq;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;

namespace Pmcp.Actors.Calls;

/// <summary>
/// Turns a <c>resources/read</c>, <c>prompts/get</c> or <c>completion/complete</c> into the code to run (and the name its
/// failures are told by), or into the JSON-RPC error it gets without running: the registry's lists at that moment decide.
/// </summary>
internal readonly struct FeatureRequests(List<McpResourceDefinition> resources, List<McpResourceTemplateDefinition> templates, List<McpPromptDefinition> prompts)
{
    private const int MaxCompletionValues = 100;

    public (string? Name, Func<ToolContext, Task<object?>>? Run, JsonRpcError? Error) Resolve(string method, JObject parameters) => method switch
    {
        McpMethods.ResourcesRead => ReadResource(parameters),
        McpMethods.PromptsGet => GetPrompt(parameters),
        McpMethods.CompletionComplete => Complete(parameters),
        _ => (null, null, new JsonRpcError(JsonRpcErrorCodes.MethodNotFound, $"Method not found: {method}")),
    };

    private (string?, Func<ToolContext, Task<object?>>?, JsonRpcError?) ReadResource(JObject parameters)
    {
        if (parameters["uri"] is not { Type: JTokenType.String } uriToken)
            return (null, null, new JsonRpcError(JsonRpcErrorCodes.InvalidParams, "resources/read needs params.uri (a string)."));
        var uri = (string)uriToken!;
        if (resources.Find(r => r.Uri == uri) is { } resource)
            return ($"resource '{uri}'", async ctx => await resource.Reader(uri, NoVariables, ctx).ConfigureAwait(false), null);
        foreach (var template in templates)
        {
            if (template.Matcher.TryMatch(uri, out var variables))
                return ($"resource '{uri}'", async ctx => await template.Reader(uri, variables, ctx).ConfigureAwait(false), null);
        }
        return (null, null, new JsonRpcError(JsonRpcErrorCodes.ResourceNotFound, $"Resource not found: {uri}"));
    }

    private (string?, Func<ToolContext, Task<object?>>?, JsonRpcError?) GetPrompt(JObject parameters)
    {
        if (parameters["name"] is not { Type: JTokenType.String } nameToken)
            return (null, null, new JsonRpcError(JsonRpcErrorCodes.InvalidParams, "prompts/get needs params.name (a string)."));
        var name = (string)nameToken!;
        if (prompts.Find(p => p.Name == name) is not { } prompt)
            return (null, null, new JsonRpcError(JsonRpcErrorCodes.InvalidParams, $"Unknown prompt: {name}"));
        if (!TryStringMap(parameters["arguments"], out var arguments))
            return (null, null, new JsonRpcError(JsonRpcErrorCodes.InvalidParams, "params.arguments must be an object of strings."));
        var missing = prompt.Arguments.Where(a => a.Required == true && !arguments.ContainsKey(a.Name)).Select(a => a.Name).ToArray();
        if (missing.Length > 0)
            return (null, null, new JsonRpcError(JsonRpcErrorCodes.InvalidParams, $"Prompt '{name}' is missing required arguments: {string.Join(", ", missing)}"));
        return ($"prompt '{name}'", async ctx => await prompt.Handler(arguments, ctx).ConfigureAwait(false), null);
    }

    private (string?, Func<ToolContext, Task<object?>>?, JsonRpcError?) Complete(JObject parameters)
    {
        var reference = parameters["ref"] as JObject;
        var argument = parameters["argument"] as JObject;
        if (reference is null || argument?["name"] is not { Type: JTokenType.String } argName || argument["value"] is not { Type: JTokenType.String } argValue)
            return (null, null, new JsonRpcError(JsonRpcErrorCodes.InvalidParams, "completion/complete needs params.ref and params.argument {name, value}."));
        var contextToken = parameters["context"];
        if (contextToken is not null && contextToken.Type is not (JTokenType.Object or JTokenType.Null) || !TryStringMap((contextToken as JObject)?["arguments"], out var context))
            return (null, null, new JsonRpcError(JsonRpcErrorCodes.InvalidParams, "params.context.arguments must be an object of strings."));

        McpCompleter? completer;
        switch (StringOrNull(reference["type"]))
        {
            case "ref/prompt":
                var promptName = StringOrNull(reference["name"]);
                var prompt = prompts.Find(p => p.Name == promptName);
                if (prompt is null) return (null, null, new JsonRpcError(JsonRpcErrorCodes.InvalidParams, $"Unknown prompt: {reference["name"]}"));
                completer = prompt.Completers.GetValueOrDefault((string)argName!);
                break;
            case "ref/resource":
                var templateUri = StringOrNull(reference["uri"]);
                var template = templates.Find(t => t.UriTemplate == templateUri);
                if (template is null) return (null, null, new JsonRpcError(JsonRpcErrorCodes.InvalidParams, $"Unknown resource template: {reference["uri"]}"));
                completer = template.Completers.GetValueOrDefault((string)argName!);
                break;
            default:
                return (null, null, new JsonRpcError(JsonRpcErrorCodes.InvalidParams, "params.ref.type must be ref/prompt or ref/resource."));
        }

        var value = (string)argValue!;
        return ($"completion of '{argName}'", async ctx =>
        {
            // No completer for that argument: nothing to suggest, which is an answer, not an error.
            var values = completer is null ? [] : await completer(value, context, ctx.CancellationToken).ConfigureAwait(false);
            return new CompleteResult(new Completion([.. values.Take(MaxCompletionValues)])
            {
                Total = values.Count,
                HasMore = values.Count > MaxCompletionValues,
            });
        }, null);
    }

    private static readonly IReadOnlyDictionary<string, string> NoVariables = new Dictionary<string, string>();

    /// <summary>The token's text when it is a JSON string; null for anything else (a cast would throw on objects and arrays).</summary>
    private static string? StringOrNull(JToken? token) => token is { Type: JTokenType.String } ? (string?)token : null;

    private static bool TryStringMap(JToken? token, out IReadOnlyDictionary<string, string> map)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        map = result;
        if (token is null || token.Type == JTokenType.Null) return true;
        if (token is not JObject obj) return false;
        foreach (var (key, value) in obj)
        {
            if (value is not { Type: JTokenType.String }) return false;
            result[key] = (string)value!;
        }
        return true;
    }
}
