using System.Globalization;
using Newtonsoft.Json.Linq;

namespace Pmcp.Client;

/// <summary>A tool argument the server wants mirrored into an <c>Mcp-Param-{Name}</c> header, and where it sits in the arguments.</summary>
internal sealed record ParamHeader(string Name, IReadOnlyList<string> Path);

/// <summary>
/// The <c>x-mcp-header</c> extension of 2026-07-28 Streamable HTTP: a tool's input schema may mark primitive arguments,
/// reachable from the root through <c>properties</c> only, whose values the client MUST send as <c>Mcp-Param-{Name}</c>
/// headers; a tool whose marks break the rules MUST be left out of <c>tools/list</c>.
/// </summary>
internal static class McpParamHeaders
{
    public const string Keyword = "x-mcp-header";
    public const string HeaderPrefix = "Mcp-Param-";

    /// <summary>The marked arguments of <paramref name="inputSchema"/>; null with <paramref name="invalid"/> saying why when a mark breaks the rules.</summary>
    public static IReadOnlyList<ParamHeader>? Find(JObject inputSchema, out string? invalid)
    {
        var found = new List<ParamHeader>();
        invalid = null;
        Walk(inputSchema, [], found, ref invalid);
        if (invalid is not null) return null;

        var marks = inputSchema.Descendants().OfType<JProperty>().Count(p => p.Name == Keyword);
        if (marks != found.Count)
        {
            invalid = $"an {Keyword} is not reachable from the schema's root through 'properties' alone";
            return null;
        }
        var duplicate = found.GroupBy(h => h.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            invalid = $"{Keyword} '{duplicate.Key}' is used twice";
            return null;
        }
        return found;
    }

    /// <summary>The headers for <paramref name="arguments"/>: one per marked argument that has a value, encoded as the spec asks.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Extract(IReadOnlyList<ParamHeader> headers, JObject arguments)
    {
        foreach (var header in headers)
        {
            JToken? value = arguments;
            foreach (var step in header.Path) value = (value as JObject)?[step];
            var text = value?.Type switch
            {
                JTokenType.String => (string)value!,
                JTokenType.Integer => ((long)value!).ToString(CultureInfo.InvariantCulture),
                JTokenType.Boolean => (bool)value! ? "true" : "false",
                _ => null,
            };
            if (text is not null) yield return new(HeaderPrefix + header.Name, McpHttpHeaders.Encode(text));
        }
    }

    private static void Walk(JObject schema, List<string> path, List<ParamHeader> found, ref string? invalid)
    {
        if (schema["properties"] is not JObject properties) return;
        foreach (var (name, value) in properties)
        {
            if (value is not JObject property) continue;
            path.Add(name);
            if (property[Keyword] is { } mark)
            {
                var header = mark.Type == JTokenType.String ? (string)mark! : null;
                var type = (string?)property["type"];
                if (string.IsNullOrEmpty(header) || !header.All(IsTokenChar))
                {
                    invalid = $"{Keyword} of '{string.Join('.', path)}' is not an HTTP token";
                    return;
                }
                if (type is not ("string" or "integer" or "boolean"))
                {
                    invalid = $"{Keyword} '{header}' marks '{string.Join('.', path)}', which is not a string, integer or boolean";
                    return;
                }
                found.Add(new ParamHeader(header, [.. path]));
            }
            Walk(property, path, found, ref invalid);
            path.RemoveAt(path.Count - 1);
            if (invalid is not null) return;
        }
    }

    /// <summary>RFC 9110 tchar.</summary>
    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);
}
