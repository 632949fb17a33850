using Newtonsoft.Json.Linq;

namespace Pmcp.Actors.Tests.Era2026;

/// <summary>What a 2026-07-28 client puts in each request: <c>params._meta</c> with its protocol version, capabilities and name.</summary>
internal static class ModernRequests
{
    public const string Version = "2026-07-28";

    public static JObject Meta(JObject? capabilities = null, string version = Version, string? logLevel = null)
    {
        var meta = new JObject
        {
            ["io.modelcontextprotocol/protocolVersion"] = version,
            ["io.modelcontextprotocol/clientCapabilities"] = capabilities ?? new JObject(),
            ["io.modelcontextprotocol/clientInfo"] = new JObject { ["name"] = "modern-tests", ["version"] = "1.0.0" },
        };
        if (logLevel is not null) meta["io.modelcontextprotocol/logLevel"] = logLevel;
        return meta;
    }

    /// <summary><paramref name="params"/> (or none) with <see cref="Meta"/> added.</summary>
    public static JObject Params(JObject? @params = null, JObject? meta = null)
    {
        var result = @params is null ? new JObject() : (JObject)@params.DeepClone();
        result["_meta"] = meta ?? Meta();
        return result;
    }
}
