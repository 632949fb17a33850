using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Newtonsoft.Json.Linq;

namespace Pmcp.Actors.Transport;

/// <summary>A tool argument its input schema marks with <c>x-mcp-header</c>: sent as <c>Mcp-Param-{Header}</c>, found at <see cref="Path"/> in the arguments.</summary>
internal sealed record ParamHeader(string Header, IReadOnlyList<string> Path);

/// <summary>
/// The custom headers of 2026-07-28 Streamable HTTP (SEP-2243). A tool's input schema may mark a primitive argument
/// (string, integer, boolean), reached from the root through <c>properties</c> alone, with <c>x-mcp-header: NAME</c>;
/// a client then sends the argument's value in an <c>Mcp-Param-NAME</c> header too, as it is when plain ASCII, else as
/// <c>=?base64?…?=</c> of its UTF-8 bytes, so that gateways can route on it without reading the body. This server
/// reads the body, so it MUST check that the two agree: a header the body has no value for, a value the header does not
/// carry, a header that differs from the value, malformed Base64 or characters a header may not hold are all
/// <c>-32020</c> HeaderMismatch (HTTP 400).
/// </summary>
internal static class ParamHeaders
{
    public const string Keyword = "x-mcp-header";
    public const string Prefix = "Mcp-Param-";
    private const string SentinelStart = "=?base64?";
    private const string SentinelEnd = "?=";
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The marked arguments of <paramref name="inputSchema"/>, walking <c>properties</c> from the root. A mark anywhere
    /// else, or on a non-primitive, is a broken tool definition that clients leave out of their lists; it is skipped here.
    /// </summary>
    public static IReadOnlyList<ParamHeader> Find(JObject? inputSchema)
    {
        var found = new List<ParamHeader>();
        if (inputSchema is not null) Walk(inputSchema, [], found);
        return found;
    }

    /// <summary>Why the request's <c>Mcp-Param-*</c> headers disagree with <paramref name="arguments"/> (null: they agree).</summary>
    public static string? Mismatch(IHeaderDictionary headers, IReadOnlyList<ParamHeader> marks, JObject? arguments)
    {
        foreach (var mark in marks)
        {
            var name = Prefix + mark.Header;
            JToken? value = arguments;
            foreach (var step in mark.Path) value = (value as JObject)?[step];
            if (value is { Type: JTokenType.Null }) value = null;

            var sent = headers[name];
            if (sent.Count == 0)
            {
                if (value is null) continue; // no value, no header: as the spec asks
                return $"Header mismatch: {name} is missing but the body's argument '{string.Join('.', mark.Path)}' has a value.";
            }
            if (sent.Count > 1) return $"Header mismatch: {name} is sent {sent.Count} times; it must be sent once.";
            if (Decode(sent.ToString(), out var decoded) is { } malformed) return $"Header mismatch: {name} {malformed}.";
            if (value is null) return $"Header mismatch: {name} is '{sent}' but the body has no argument '{string.Join('.', mark.Path)}'.";
            if (!Agrees(decoded!, value))
                return $"Header mismatch: {name} carries '{decoded}' but the body's argument '{string.Join('.', mark.Path)}' is {value.ToString(Newtonsoft.Json.Formatting.None)}.";
        }
        return null;
    }

    /// <summary>
    /// A header value as the client meant it: the UTF-8 text inside <c>=?base64?…?=</c> (strict Base64, padding and
    /// alphabet), else the value itself, which must be visible ASCII, spaces or tabs. Returns why not, or null.
    /// </summary>
    public static string? Decode(string header, out string? value)
    {
        value = null;
        if (header.Length >= SentinelStart.Length + SentinelEnd.Length
            && header.StartsWith(SentinelStart, StringComparison.Ordinal) && header.EndsWith(SentinelEnd, StringComparison.Ordinal))
        {
            var encoded = header[SentinelStart.Length..^SentinelEnd.Length];
            var bytes = new byte[encoded.Length];
            if (encoded.Length % 4 != 0 || !Convert.TryFromBase64String(encoded, bytes, out var length))
                return $"is not valid Base64 inside {SentinelStart}…{SentinelEnd} (padding or characters)";
            try
            {
                value = StrictUtf8.GetString(bytes, 0, length);
                return null;
            }
            catch (DecoderFallbackException)
            {
                return "does not decode to UTF-8 text";
            }
        }
        foreach (var c in header)
        {
            if (c is not ((>= ' ' and <= '~') or '\t')) return "holds characters a header value may not (encode it as =?base64?…?=)";
        }
        value = header;
        return null;
    }

    /// <summary>The header's text against the body's value: the same string, the same number (42 and 42.0 agree), the same boolean spelt lowercase.</summary>
    private static bool Agrees(string header, JToken value) => value.Type switch
    {
        JTokenType.String => string.Equals(header, (string?)value, StringComparison.Ordinal),
        JTokenType.Integer or JTokenType.Float =>
            decimal.TryParse(header, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var number)
            && TryDecimal(value, out var body) && number == body,
        JTokenType.Boolean => header == ((bool)value ? "true" : "false"),
        _ => false,
    };

    private static bool TryDecimal(JToken value, out decimal number)
    {
        try
        {
            number = value.Type == JTokenType.Integer ? (decimal)(long)value : (decimal)(double)value;
            return true;
        }
        catch (Exception ex) when (ex is OverflowException or InvalidCastException)
        {
            number = 0;
            return false;
        }
    }

    private static void Walk(JObject schema, List<string> path, List<ParamHeader> found)
    {
        if (schema["properties"] is not JObject properties) return;
        foreach (var (name, node) in properties)
        {
            if (node is not JObject property) continue;
            path.Add(name);
            if (property[Keyword] is { Type: JTokenType.String } mark && (string?)property["type"] is "string" or "integer" or "boolean")
                found.Add(new ParamHeader((string)mark!, [.. path]));
            Walk(property, path, found);
            path.RemoveAt(path.Count - 1);
        }
    }
}
