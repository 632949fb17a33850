using System.Text;

namespace Pmcp.Client;

/// <summary>How a Streamable HTTP header value that is not plain ASCII is carried (the names: <see cref="Pmcp.Protocol.McpHttpHeaderNames"/>).</summary>
internal static class McpHttpHeaders
{
    private const string SentinelStart = "=?base64?";
    private const string SentinelEnd = "?=";

    /// <summary>
    /// A header value for <paramref name="value"/> (2026-07-28 "Value Encoding"): as it is when it is visible ASCII or
    /// inner spaces; otherwise, and when it looks like the sentinel itself, <c>=?base64?…?=</c> of its UTF-8 bytes.
    /// </summary>
    public static string Encode(string value)
    {
        var plain = value.Length > 0 && value[0] != ' ' && value[^1] != ' '
            && !(value.StartsWith(SentinelStart, StringComparison.Ordinal) && value.EndsWith(SentinelEnd, StringComparison.Ordinal));
        foreach (var c in value)
        {
            if (!plain) break;
            plain = c is >= ' ' and <= '~';
        }
        return plain ? value : SentinelStart + Convert.ToBase64String(Encoding.UTF8.GetBytes(value)) + SentinelEnd;
    }
}
