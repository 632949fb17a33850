using Newtonsoft.Json.Linq;
using Pmcp.Protocol;

namespace Pmcp.Actors.Session.Era2026;

/// <summary>What one modern request says about its client in <c>params._meta</c>, read once when it arrives.</summary>
/// <param name="Capabilities">What the client can be asked (sampling, elicitation, roots) while this request runs.</param>
/// <param name="LogRank">The rank of the lowest log level the request wants (<c>io.modelcontextprotocol/logLevel</c>); -1: no log messages.</param>
internal readonly record struct RequestMeta(ClientCapabilityFlags Capabilities, int LogRank)
{
    /// <summary>
    /// Reads a modern request's <c>_meta</c>, or says why it is refused: -32602 when <c>_meta</c>, its protocol version or
    /// its client capabilities are missing or malformed (or the log level is not one of the spec's), -32022 with
    /// <c>data{supported,requested}</c> when the version is not one this server speaks.
    /// </summary>
    public static bool TryRead(JsonRpcMessage request, out RequestMeta meta, out JsonRpcError? refusal)
    {
        meta = default;
        refusal = null;
        // Read member by member (JsonRpcMessage.MetaMember): no tokens of _meta are made (issue 29).
        if (request.MetaType != JTokenType.Object)
        {
            refusal = Invalid("a 2026-07-28 request carries params._meta with io.modelcontextprotocol/protocolVersion and io.modelcontextprotocol/clientCapabilities.");
            return false;
        }
        if (request.MetaMember(ModernProtocol.ProtocolVersionKey, out var version) != JTokenType.String)
        {
            refusal = Invalid($"params._meta[\"{ModernProtocol.ProtocolVersionKey}\"] must be a string.");
            return false;
        }
        if (!ModernProtocol.SupportedVersions.Contains(version!, StringComparer.Ordinal))
        {
            refusal = Unsupported(version!);
            return false;
        }
        if (request.MetaMember(ModernProtocol.ClientCapabilitiesKey, out _) != JTokenType.Object)
        {
            refusal = Invalid($"params._meta[\"{ModernProtocol.ClientCapabilitiesKey}\"] must be an object.");
            return false;
        }
        if (request.MetaMember(ModernProtocol.ClientInfoKey, out _) is not (JTokenType.None or JTokenType.Object or JTokenType.Null))
        {
            refusal = Invalid($"params._meta[\"{ModernProtocol.ClientInfoKey}\"] must be an object.");
            return false;
        }

        var logRank = -1;
        var levelType = request.MetaMember(ModernProtocol.LogLevelKey, out var level);
        if (levelType is not (JTokenType.None or JTokenType.Null))
        {
            // Only a string can name a level (a number or boolean read as text names none).
            logRank = levelType == JTokenType.String ? LoggingLevels.Rank(level) : -1;
            if (logRank < 0)
            {
                refusal = Invalid($"params._meta[\"{ModernProtocol.LogLevelKey}\"] must be one of: {string.Join(", ", LoggingLevels.All)}.");
                return false;
            }
        }

        // The capabilities from the client's bytes when _meta was kept so; from its tokens when it was read into them.
        if (!request.TryReadMetaMember(ModernProtocol.ClientCapabilitiesKey, ClientCapabilityFlagsExtensions.Read, out var capabilities))
            capabilities = ClientCapabilityFlagsExtensions.Read(request.MetaToken(ModernProtocol.ClientCapabilitiesKey) as JObject);
        meta = new RequestMeta(capabilities, logRank);
        return true;
    }

    /// <summary>-32022 UnsupportedProtocolVersion, naming the versions served and echoing the one asked for.</summary>
    public static JsonRpcError Unsupported(string requested) => new(ModernProtocol.UnsupportedProtocolVersion,
        $"Unsupported protocol version '{requested}': this server speaks {string.Join(", ", ModernProtocol.SupportedVersions)} (and, after initialize, {string.Join(", ", McpProtocolVersions.Supported)}).",
        new JObject { ["supported"] = new JArray(ModernProtocol.SupportedVersions), ["requested"] = requested });

    private static JsonRpcError Invalid(string why) => new(JsonRpcErrorCodes.InvalidParams, "Invalid params: " + why);
}
