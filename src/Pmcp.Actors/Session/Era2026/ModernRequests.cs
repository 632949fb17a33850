using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Pmcp.Protocol;

namespace Pmcp.Actors.Session.Era2026;

/// <summary>
/// A modern session's requests in flight with what each one's <c>_meta</c> said (client capabilities, log level): in
/// 2026-07-28 nothing of the client is kept between requests, so a tool asking the client something, or logging,
/// is judged by the request it runs for. Every response leaves through <see cref="Finish"/>, which gives a result its
/// <c>resultType</c>, a list or read result its caching hints (<see cref="McpServerOptions.CacheTtl"/>), a resource
/// not found the 2026 error (-32602 with <c>data.uri</c>, where 2025 said -32002), a request whose handler asked its
/// client something unanswered an <c>InputRequiredResult</c> (<see cref="InputRound"/>), and one whose handler failed
/// for want of a client capability -32021.
/// </summary>
internal sealed class ModernRequests(McpServerOptions options, Security.CallerIdentity? caller)
{
    private readonly Dictionary<RequestId, Open> _open = [];
    private Security.CallerIdentity? _caller = caller;
    private string? _callerDigest;

    /// <summary>This table, emptied, for the next request of a renewed session (<see cref="McpSession.Renew"/>), from <paramref name="caller"/>.</summary>
    public ModernRequests Renewed(Security.CallerIdentity? caller)
    {
        _open.Clear();
        _caller = caller;
        _callerDigest = null;
        return this;
    }

    /// <param name="readUri">For <c>resources/read</c>: the URI read.</param>
    private sealed class Open(RequestMeta meta, bool cacheable, string? readUri)
    {
        public RequestMeta Meta { get; } = meta;
        public bool Cacheable { get; } = cacheable;
        public string? ReadUri { get; } = readUri;

        /// <summary>For a method that may ask its client (<see cref="InputRound.Serves"/>): what it is bound to, and its round once it has one.</summary>
        public RequestBinding? Binding { get; init; }
        public InputRound? Round { get; set; }

        /// <summary>The client capability the handler asked for and the request did not declare: if the handler fails, the answer is -32021.</summary>
        public string? MissingCapability { get; set; }
    }

    /// <summary>Opens a request: its <c>_meta</c>, and for one that may ask its client, the retry's answers; a refusal (-32602) when those are not acceptable.</summary>
    public JsonRpcError? Begin(RequestId id, RequestMeta meta, JsonRpcMessage request)
    {
        var method = request.Method!;
        var uri = method == McpMethods.ResourcesRead && request.Param("uri") is JValue { Type: JTokenType.String } value ? (string?)value : null;
        RequestBinding? binding = null;
        InputRound? round = null;
        if (InputRound.Serves(method))
        {
            binding = RequestBinding.Of(request, _callerDigest ??= RequestStateSeal.CallerDigest(_caller));
            round = InputRound.Read(request, binding, options, out var refusal);
            if (refusal is not null) return refusal;
        }
        _open[id] = new Open(meta, IsCacheable(method), uri) { Binding = binding, Round = round };
        return null;
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

    /// <summary>The round of request <paramref name="id"/> (made on first use), or null when it is not open or its method cannot ask its client.</summary>
    public InputRound? Round(RequestId id) =>
        _open.TryGetValue(id, out var open) && open.Binding is not null ? open.Round ??= InputRound.Empty() : null;

    /// <summary>What request <paramref name="id"/> is bound to (its method, name, arguments), or null when it is not open or cannot ask its client.</summary>
    public RequestBinding? Binding(RequestId id) => _open.TryGetValue(id, out var open) ? open.Binding : null;

    /// <summary>The handler of <paramref name="id"/> asked for <paramref name="capability"/>, which its request did not declare.</summary>
    public void LackedCapability(RequestId id, string capability)
    {
        if (_open.TryGetValue(id, out var open)) open.MissingCapability ??= capability;
    }

    /// <summary>Request <paramref name="id"/> ends without a response of its own (a listen cancelled or refused).</summary>
    public void Forget(RequestId id) => _open.Remove(id);

    /// <summary>The rank of the lowest log level request <paramref name="id"/> asked for; -1 (none) for an unknown request or one that asked for none.</summary>
    public int LogRank(RequestId? id) => TryGet(id, out var meta) ? meta.LogRank : -1;

    /// <summary>The response to <paramref name="id"/> is going out: the request is over, and a result says it is complete (or what it needs).</summary>
    public string Finish(RequestId id, string responseJson)
    {
        if (!_open.Remove(id, out var open)) return Complete(responseJson, cacheable: false);
        if (open.Round is { AskedSomething: true } round)
            return JsonRpcWriter.ResultRaw(id, round.Result(open.Binding!, options).ToString(Formatting.None));
        if (open.MissingCapability is { } capability && Failed(responseJson))
            return JsonRpcWriter.Error(id, new JsonRpcError(ModernProtocol.MissingRequiredClientCapability,
                $"The request needs the client capability '{capability}', which its _meta did not declare.",
                new JObject { ["requiredCapabilities"] = new JObject { [capability] = new JObject() } }));
        if (open.ReadUri is { } uri && responseJson.Contains("\"error\"", StringComparison.Ordinal) && McpJson.Parse(responseJson) is JObject failed
            && failed["error"] is JObject error && (int?)error["code"] == JsonRpcErrorCodes.ResourceNotFound)
        {
            error["code"] = JsonRpcErrorCodes.InvalidParams;
            error["data"] ??= new JObject { ["uri"] = uri };
            return failed.ToString(Formatting.None);
        }
        return Complete(responseJson, open.Cacheable);
    }

    private string Complete(string responseJson, bool cacheable)
    {
        // The usual way: the members added in the text (ResultMembers); the tokens only for a response the scan does not follow.
        var ttlMs = (long)options.CacheTtl.TotalMilliseconds;
        var scope = options.CacheResultsPublicly ? "public" : "private";
        if (ResultMembers.Complete(responseJson, cacheable, ttlMs, scope) is { } completed) return completed;
        if (McpJson.Parse(responseJson) is not JObject response || response["result"] is not JObject result) return responseJson;
        result["resultType"] ??= ModernProtocol.ResultComplete;
        if (cacheable)
        {
            result["ttlMs"] ??= ttlMs;
            result["cacheScope"] ??= scope;
        }
        return response.ToString(Formatting.None);
    }

    /// <summary>True for a JSON-RPC error or a tool's <c>isError</c> result.</summary>
    private static bool Failed(string responseJson) => McpJson.Parse(responseJson) is JObject response
        && (response["error"] is not null || response["result"]?["isError"] is JValue { Type: JTokenType.Boolean } isError && (bool)isError!);

    /// <summary>The methods whose results carry caching hints in 2026-07-28 (the schema requires them on <c>server/discover</c> too).</summary>
    private static bool IsCacheable(string method) => method is ModernProtocol.Discover or McpMethods.ToolsList or McpMethods.PromptsList or McpMethods.ResourcesList
        or McpMethods.ResourcesTemplatesList or McpMethods.ResourcesRead;
}
