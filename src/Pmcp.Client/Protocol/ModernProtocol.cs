using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Pmcp.Protocol;

namespace Pmcp.Client;

/// <summary>The names of MCP 2026-07-28 (the stateless revision) that the client uses.</summary>
public static class ModernProtocol
{
    /// <summary>The revision: no handshake, per-request <c>_meta</c>, MRTR, <c>subscriptions/listen</c>.</summary>
    public const string Version = "2026-07-28";

    public const string ServerDiscover = "server/discover";
    public const string SubscriptionsListen = "subscriptions/listen";
    public const string SubscriptionsAcknowledged = "notifications/subscriptions/acknowledged";

    public const string ProtocolVersionKey = "io.modelcontextprotocol/protocolVersion";
    public const string ClientInfoKey = "io.modelcontextprotocol/clientInfo";
    public const string ClientCapabilitiesKey = "io.modelcontextprotocol/clientCapabilities";
    public const string ServerInfoKey = "io.modelcontextprotocol/serverInfo";
    public const string LogLevelKey = "io.modelcontextprotocol/logLevel";
    public const string SubscriptionIdKey = "io.modelcontextprotocol/subscriptionId";

    /// <summary>A result that asks for input before the request can complete (MRTR).</summary>
    public const string InputRequired = "input_required";

    /// <summary>-32020: the HTTP headers do not match the body.</summary>
    public const int HeaderMismatch = -32020;

    /// <summary>-32021: the server needs a client capability the request did not declare.</summary>
    public const int MissingRequiredClientCapability = -32021;

    /// <summary>-32022: the server does not speak the request's protocol version; <c>data.supported</c> lists what it speaks.</summary>
    public const int UnsupportedProtocolVersion = -32022;

    /// <summary>The requests that may be answered with an <c>input_required</c> result.</summary>
    internal static bool MayRequireInput(string method) =>
        method is McpMethods.ToolsCall or McpMethods.PromptsGet or McpMethods.ResourcesRead;
}

/// <summary>The answer to <c>server/discover</c>: what a 2026-07-28 server speaks and offers.</summary>
public sealed record DiscoverResult(
    [property: JsonProperty("supportedVersions")] IReadOnlyList<string> SupportedVersions,
    [property: JsonProperty("capabilities")] JObject Capabilities)
{
    [JsonProperty("instructions", NullValueHandling = NullValueHandling.Ignore)]
    public string? Instructions { get; init; }

    [JsonProperty("_meta", NullValueHandling = NullValueHandling.Ignore)]
    public JObject? Meta { get; init; }

    /// <summary>How long the answer may be cached, in milliseconds, when the server says.</summary>
    [JsonProperty("ttlMs", NullValueHandling = NullValueHandling.Ignore)]
    public long? TtlMs { get; init; }

    /// <summary>The server's name and version, from <c>_meta["io.modelcontextprotocol/serverInfo"]</c>; null when it gives none.</summary>
    [JsonIgnore]
    public Implementation? ServerInfo => Meta?[ModernProtocol.ServerInfoKey] is JObject info ? McpJson.ToObject<Implementation>(info) : null;
}
