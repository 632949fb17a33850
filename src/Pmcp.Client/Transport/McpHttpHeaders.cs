using System.Text;

namespace Pmcp.Client;

/// <summary>The headers of the Streamable HTTP transport, and how a value that is not plain ASCII is carried.</summary>
internal static class McpHttpHeaders
{
    public const string SessionId = "Mcp-Session-Id";
    public const string ProtocolVersion = "MCP-Protocol-Version";
    public const string Method = "Mcp-Method";
    public const string Name = "Mcp-Name";
    public const string LastEventId = "Last-Event-ID";

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
