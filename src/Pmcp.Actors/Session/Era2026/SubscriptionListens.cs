using Newtonsoft.Json.Linq;
using Pmcp.Protocol;

namespace Pmcp.Actors.Session.Era2026;

/// <summary>
/// <c>subscriptions/listen</c> (2026-07-28), which replaces the GET stream and <c>resources/subscribe</c>: a request that
/// stays open and carries the notifications its filter asked for and the server agreed to (list changes the server
/// announces, updates of resources when it offers subscriptions). The first message of each is
/// <c>notifications/subscriptions/acknowledged</c> with the agreed filter; every message of it names it in
/// <c>_meta["io.modelcontextprotocol/subscriptionId"]</c> (the request's id) and travels with it (on Streamable HTTP,
/// on its POST's SSE stream, which stays open). The client ends it with <c>notifications/cancelled</c>; a server that
/// shuts down ends it with an empty result.
/// </summary>
internal sealed class SubscriptionListens(McpSession session)
{
    public const string SubscriptionIdKey = "io.modelcontextprotocol/subscriptionId";
    public const string Acknowledged = "notifications/subscriptions/acknowledged";

    // Made with the first listen: most modern sessions (one request each) never open one.
    private Dictionary<RequestId, Filter>? _made;

    private Dictionary<RequestId, Filter> ByRequest => _made ??= [];

    private sealed record Filter(bool Tools, bool Prompts, bool Resources, HashSet<string> Uris);

    public int Count => _made?.Count ?? 0;

    public static void Handle(McpSession session, RequestId id, JsonRpcMessage request) => session.Listens!.Open(id, request);

    private void Open(RequestId id, JsonRpcMessage request)
    {
        if (request.Param("notifications") is not JObject asked || Uris(asked["resourceSubscriptions"]) is not { } uris)
        {
            session.Modern!.Forget(id);
            session.SendError(id, JsonRpcErrorCodes.InvalidParams,
                "Invalid params: subscriptions/listen needs params.notifications, an object (toolsListChanged, promptsListChanged, resourcesListChanged: booleans; resourceSubscriptions: an array of URIs).");
            return;
        }
        if (ByRequest.ContainsKey(id) || session.Calls.IsInFlight(id))
        {
            session.Modern!.Forget(id);
            session.Reply(id, McpSession.RequestIdInUse(id));
            return;
        }

        // What the server agrees to: what it announces (listChanged, subscribe) among what was asked.
        var offered = session.Definition.Capabilities;
        var filter = new Filter(
            Asked(asked, "toolsListChanged") && offered.Tools?.ListChanged == true,
            Asked(asked, "promptsListChanged") && offered.Prompts?.ListChanged == true,
            Asked(asked, "resourcesListChanged") && offered.Resources?.ListChanged == true,
            offered.Resources?.Subscribe == true ? uris : []);
        ByRequest[id] = filter;

        var agreed = new JObject();
        if (filter.Tools) agreed["toolsListChanged"] = true;
        if (filter.Prompts) agreed["promptsListChanged"] = true;
        if (filter.Resources) agreed["resourcesListChanged"] = true;
        if (filter.Uris.Count > 0) agreed["resourceSubscriptions"] = new JArray(filter.Uris);
        Notify(id, Acknowledged, new JObject { ["notifications"] = agreed });
    }

    /// <summary>A list changed ("tools", "prompts", "resources"): each listen that agreed to hear of it is told.</summary>
    public void ListChanged(string list)
    {
        if (_made is null) return;
        foreach (var (id, filter) in _made)
        {
            var wanted = list switch
            {
                "tools" => filter.Tools,
                "prompts" => filter.Prompts,
                "resources" => filter.Resources,
                _ => false,
            };
            if (wanted) Notify(id, $"notifications/{list}/list_changed", []);
        }
    }

    public void ResourceUpdated(string uri)
    {
        if (_made is null) return;
        foreach (var (id, filter) in _made)
            if (filter.Uris.Contains(uri)) Notify(id, McpMethods.ResourcesUpdated, new JObject { ["uri"] = uri });
    }

    /// <summary>The client cancelled request <paramref name="id"/>: if it was a listen, it ends without a response.</summary>
    public bool Cancelled(RequestId id)
    {
        if (_made is null || !_made.Remove(id)) return false;
        session.Modern!.Forget(id);
        return true;
    }

    /// <summary>The server shuts down: every listen ends with its (empty) result, which says so.</summary>
    public void EndAll()
    {
        if (_made is null) return;
        foreach (var id in _made.Keys.ToArray())
        {
            _made.Remove(id);
            session.SendResult(id, new JObject { ["_meta"] = new JObject { [SubscriptionIdKey] = id.ToToken() } }.ToString(Newtonsoft.Json.Formatting.None));
        }
    }

    private void Notify(RequestId id, string method, JObject parameters)
    {
        parameters["_meta"] = new JObject { [SubscriptionIdKey] = id.ToToken() };
        session.Send(JsonRpcWriter.Notification(method, parameters), id);
    }

    private static bool Asked(JObject asked, string name) => asked[name] is JValue { Type: JTokenType.Boolean } flag && (bool)flag!;

    /// <summary>The URIs of <c>resourceSubscriptions</c> (none when absent), or null when it is not an array of strings.</summary>
    private static HashSet<string>? Uris(JToken? token)
    {
        var uris = new HashSet<string>(StringComparer.Ordinal);
        if (token is null || token.Type == JTokenType.Null) return uris;
        if (token is not JArray array) return null;
        foreach (var item in array)
        {
            if (item is not JValue { Type: JTokenType.String } uri) return null;
            uris.Add((string)uri!);
        }
        return uris;
    }
}
