using Newtonsoft.Json.Linq;
using Pmcp.Protocol;

namespace Pmcp.Actors.Session.Era2026;

/// <summary>
/// The words of the 2026-07-28 revision (the "modern", stateless era): its version, its <c>_meta</c> keys, its error
/// codes, and how a message says it belongs to it. Kept here rather than in Pmcp.Protocol's version list, whose
/// <c>Supported</c> is what <c>initialize</c> may negotiate: 2026-07-28 has no <c>initialize</c>.
/// </summary>
internal static class ModernProtocol
{
    public const string Version = McpProtocolVersions.V2026_07_28;

    /// <summary>The revisions a modern request may name (an unknown one gets -32022).</summary>
    public static IReadOnlyList<string> SupportedVersions { get; } = [Version];

    public const string ProtocolVersionKey = "io.modelcontextprotocol/protocolVersion";
    public const string ClientCapabilitiesKey = "io.modelcontextprotocol/clientCapabilities";
    public const string ClientInfoKey = "io.modelcontextprotocol/clientInfo";
    public const string LogLevelKey = "io.modelcontextprotocol/logLevel";
    public const string ServerInfoKey = "io.modelcontextprotocol/serverInfo";

    public const string Discover = "server/discover";

    /// <summary>The <c>resultType</c> of a result that is the request's answer (not a request for input, not a task).</summary>
    public const string ResultComplete = "complete";
    public const string SubscriptionsListen = "subscriptions/listen";

    /// <summary>-32020: an HTTP routing header (MCP-Protocol-Version, Mcp-Method, Mcp-Name) says something other than the body.</summary>
    public const int HeaderMismatch = -32020;

    /// <summary>-32021: the request needs a client capability the request's <c>_meta</c> did not declare.</summary>
    public const int MissingRequiredClientCapability = -32021;

    /// <summary>-32022: the request names a protocol version this server does not speak.</summary>
    public const int UnsupportedProtocolVersion = -32022;

    /// <summary>
    /// True when a message belongs to the modern era: a request whose <c>params._meta</c> carries a protocol version, or
    /// <c>server/discover</c> (which a client sends to find out which era the server speaks).
    /// </summary>
    public static bool IsModern(JsonRpcMessage message) =>
        message.Kind == JsonRpcMessageKind.Request
        && (message.Method == Discover || message.MetaMember(ProtocolVersionKey, out _) != JTokenType.None);

    /// <summary>The protocol version a request's <c>_meta</c> names, or null.</summary>
    public static string? RequestedVersion(JsonRpcMessage message) =>
        message.MetaMember(ProtocolVersionKey, out var version) == JTokenType.String ? version : null;
}
