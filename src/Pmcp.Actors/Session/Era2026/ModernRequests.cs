using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Pmcp.Protocol;

namespace Pmcp.Actors.Session.Era2026;

/// <summary>
/// A modern session's requests in flight with what each one's <c>_meta</c> said (client capabilities, log level): in
/// 2026-07-28 nothing of the client is kept between requests, so a tool asking the client something, or logging,
/// is judged by the request it runs for. Every response leaves through <see cref="Finish"/>, which gives a result its
/// <c>resultType</c>, a list or read result its caching hints (<see cref="McpServerOptions.CacheTtl"/>), and a
/// resource not found the 2026 error (-32602 with <c>data.uri</c>, where 2025 said -32002).
/// </summary>
internal sealed class ModernRequests(McpServerOptions options)
{
    private readonly Dictionary<RequestId, Open> _open = [];

    /// <param name="ReadUri">For <c>resources/read</c>: the URI read.</param>
    private readonly record struct Open(RequestMeta Meta, bool Cacheable, string? ReadUri);

    public void Begin(RequestId id, RequestMeta meta, JsonRpcMessage request)
    {
        var method = request.Method!;
        var uri = method == McpMethods.ResourcesRead && request.Param("uri") is JValue { Type: JTokenType.String } value ? (string?)value : null;
        _open[id] = new Open(meta, IsCacheable(method), uri);
    }

    public bool TryGet(RequestId? id, out RequestMeta meta)
    {
        if (id is { } known && _open.TryGetValue(known, out var open))
        {
            meta = open.Meta;
            return true;
        }
        meta = default;
        return false;
    }

    /// <summary>The rank of the lowest log level request <paramref name="id"/> asked for; -1 (none) for an unknown request or one that asked for none.</summary>
    public int LogRank(RequestId? id) => TryGet(id, out var meta) ? meta.LogRank : -1;

    /// <summary>The response to <paramref name="id"/> is going out: the request is over, and a result says it is complete.</summary>
    public string Finish(RequestId id, string responseJson)
    {
        _open.Remove(id, out var open);
        if (McpJson.Parse(responseJson) is not JObject response) return responseJson;
        if (response["result"] is not JObject result)
        {
            if (open.ReadUri is not { } uri || response["error"] is not JObject { } error || (int?)error["code"] != JsonRpcErrorCodes.ResourceNotFound) return responseJson;
            error["code"] = JsonRpcErrorCodes.InvalidParams;
            error["data"] ??= new JObject { ["uri"] = uri };
            return response.ToString(Formatting.None);
        }
        result["resultType"] ??= "complete";
        if (open.Cacheable)
        {
            result["ttlMs"] ??= (long)options.CacheTtl.TotalMilliseconds;
            result["cacheScope"] ??= options.CacheResultsPublicly ? "public" : "private";
        }
        return response.ToString(Formatting.None);
    }

    /// <summary>The methods whose results carry caching hints in 2026-07-28 (the schema requires them on <c>server/discover</c> too).</summary>
    private static bool IsCacheable(string method) => method is ModernProtocol.Discover or McpMethods.ToolsList or McpMethods.PromptsList or McpMethods.ResourcesList
        or McpMethods.ResourcesTemplatesList or McpMethods.ResourcesRead;
}
