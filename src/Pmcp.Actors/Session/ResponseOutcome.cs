using System.Globalization;

namespace Pmcp.Actors.Session;

/// <summary>
/// Whether a response the server wrote is an error, read from its text without parsing it: the protocol's writers put
/// <c>"error":{"code":N</c> right after the id, and a tool's result ends with <c>"isError":true}}</c> when the tool
/// failed. Only telemetry asks, and only when something listens.
/// </summary>
internal static class ResponseOutcome
{
    private const string ErrorMember = ",\"error\":{\"code\":";
    private const string ResultMember = ",\"result\":";
    private const string ToolFailed = "\"isError\":true}}";

    /// <summary>The <c>error.type</c> (a JSON-RPC code, or <c>tool_error</c>) and the error's text; both null for success.</summary>
    public static (string? ErrorType, string? Message) Of(string json)
    {
        // The envelope's own member comes right after the id, so look for "result" first and for "error" only before
        // it: a success (the common case) is then decided without reading the rest of a possibly large result.
        var result = json.IndexOf(ResultMember, StringComparison.Ordinal);
        var error = result < 0
            ? json.IndexOf(ErrorMember, StringComparison.Ordinal)
            : json.AsSpan(0, result).IndexOf(ErrorMember, StringComparison.Ordinal);
        if (error >= 0)
        {
            var start = error + ErrorMember.Length;
            var end = start;
            while (end < json.Length && (char.IsAsciiDigit(json[end]) || json[end] == '-')) end++;
            var code = json[start..end];
            return (int.TryParse(code, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) ? code : "_OTHER", "JSON-RPC error " + code);
        }

        return json.EndsWith(ToolFailed, StringComparison.Ordinal) ? (Diagnostics.McpTelemetryNames.ToolErrorType, "the tool reported an error") : (null, null);
    }
}
