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
        var error = json.IndexOf(ErrorMember, StringComparison.Ordinal);
        var result = json.IndexOf(ResultMember, StringComparison.Ordinal);
        if (error >= 0 && (result < 0 || error < result))
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
