using Akka.Actor;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Session.TaskMethods;
using Pmcp.Protocol;
using static Pmcp.Actors.Tasks.TaskProtocol;

namespace Pmcp.Actors.Session.Era2026;

/// <summary>
/// <c>subscriptions/listen</c> (2026-07-28), which replaces the GET stream and <c>resources/subscribe</c>: a request that
/// stays open and carries the notifications its filter asked for and the server agreed to (list changes the server
/// announces, updates of resources when it offers subscriptions, and, with the tasks extension, the status of the tasks
/// it names in <c>taskIds</c>: <c>notifications/tasks</c>, the task as <c>tasks/get</c> shows it, first as it is when
/// the listen opens, then at each change of its status). The first message of each is
/// <c>notifications/subscriptions/acknowledged</c> with the agreed filter; every message of it names it in
/// <c>_meta["io.modelcontextprotocol/subscriptionId"]</c> (the request's id) and travels with it (on Streamable HTTP,
/// on its POST's SSE stream, which stays open). The client ends it with <c>notifications/cancelled</c>; a server that
/// shuts down ends it with an empty result. A task is watched by the listen through the session host's inbox (an actor
/// ref, so from any node); its notices carry a random subscription tag of the listen, so a notice that arrives after the
/// listen ended (its host serving another request by then) is for no listen and is dropped.
/// </summary>
internal sealed class SubscriptionListens(McpSession session)
{
    public const string SubscriptionIdKey = "io.modelcontextprotocol/subscriptionId";
    public const string Acknowledged = "notifications/subscriptions/acknowledged";
    public const string TaskNotification = "notifications/tasks";

    /// <summary>The most task ids one listen may name: each is a watch kept by its task while the listen lasts.</summary>
    public const int MaxTaskIds = 100;

    // Made with the first listen: most modern sessions (one request each) never open one.
    private Dictionary<RequestId, Filter>? _made;
    private Dictionary<string, RequestId>? _bySubscription; // listens that watch tasks, by the tag their notices carry

    private Dictionary<RequestId, Filter> ByRequest => _made ??= [];

    private sealed record Filter(bool Tools, bool Prompts, bool Resources, HashSet<string> Uris, string[] TaskIds, string? Subscription);

    public int Count => _made?.Count ?? 0;

    public static void Handle(McpSession session, RequestId id, JsonRpcMessage request) => session.Listens!.Open(id, request);

    private void Open(RequestId id, JsonRpcMessage request)
    {
        if (request.Param("notifications") is not JObject asked || Strings(asked["resourceSubscriptions"]) is not { } uris || Strings(asked["taskIds"]) is not { } taskIds || taskIds.Contains(""))
        {
            session.Modern!.Forget(id);
            session.SendError(id, JsonRpcErrorCodes.InvalidParams,
                "Invalid params: subscriptions/listen needs params.notifications, an object (toolsListChanged, promptsListChanged, resourcesListChanged: booleans; resourceSubscriptions: an array of URIs; taskIds: an array of task ids).");
            return;
        }
        if (taskIds.Count > MaxTaskIds)
        {
            session.Modern!.Forget(id);
            session.SendError(id, JsonRpcErrorCodes.InvalidParams, $"Invalid params: a listen may name at most {MaxTaskIds} taskIds, not {taskIds.Count}.");
            return;
        }
        if (taskIds.Count > 0 && !SessionTasks.DeclaredExtension(session, id))
        {
            session.Modern!.Forget(id);
            session.Reply(id, JsonRpcWriter.Error(id, SessionTasks.MissingExtension("subscriptions/listen with notifications.taskIds")));
            return;
        }
        if (ByRequest.ContainsKey(id) || session.Calls.IsInFlight(id))
        {
            session.Modern!.Forget(id);
            session.Reply(id, McpSession.RequestIdInUse(id));
            return;
        }

        // What the server agrees to: what it announces (listChanged, subscribe) among what was asked.
        // Task ids are agreed to whether or not a task of the caller's has them (the answer says nothing of other callers' tasks).
        var offered = session.Definition.Capabilities;
        var watchesTasks = taskIds.Count > 0 && session.Tasks is not null && session.Host.Inbox is not null;
        var filter = new Filter(
            Asked(asked, "toolsListChanged") && offered.Tools?.ListChanged == true,
            Asked(asked, "promptsListChanged") && offered.Prompts?.ListChanged == true,
            Asked(asked, "resourcesListChanged") && offered.Resources?.ListChanged == true,
            offered.Resources?.Subscribe == true ? uris : [],
            watchesTasks ? [.. taskIds] : [],
            watchesTasks ? Guid.NewGuid().ToString("N") : null);
        ByRequest[id] = filter;

        var agreed = new JObject();
        if (filter.Tools) agreed["toolsListChanged"] = true;
        if (filter.Prompts) agreed["promptsListChanged"] = true;
        if (filter.Resources) agreed["resourcesListChanged"] = true;
        if (filter.Uris.Count > 0) agreed["resourceSubscriptions"] = new JArray(filter.Uris);
        if (filter.TaskIds.Length > 0) agreed["taskIds"] = new JArray(filter.TaskIds);
        Notify(id, Acknowledged, new JObject { ["notifications"] = agreed });
        if (filter.Subscription is not { } subscription) return;
        (_bySubscription ??= new(StringComparer.Ordinal))[subscription] = id;
        foreach (var taskId in filter.TaskIds) session.Tasks!.Region.Tell(new WatchTask(taskId, session.TaskScope.Owner, session.Host.Inbox!, subscription));
    }

    /// <summary>A task a listen named is now as <paramref name="stateJson"/> says: that listen is told, if it is still open.</summary>
    public void TaskChanged(string subscription, string stateJson)
    {
        if (_bySubscription is null || !_bySubscription.TryGetValue(subscription, out var id) || session.Tasks is not { } tasks) return;
        var task = JObject.Parse(TaskWire.Detailed2026(Tasks.TaskState.FromJson(stateJson), tasks.PollIntervalMs));
        Notify(id, TaskNotification, task);
    }

    /// <summary>The session ends (its transport is gone): the tasks its listens watch are told to stop telling them.</summary>
    public void Stopped()
    {
        if (_made is null) return;
        foreach (var id in _made.Keys.ToArray()) End(id);
    }

    /// <summary>The listen ends: nothing more is sent on it, and the tasks it named forget it.</summary>
    private bool End(RequestId id)
    {
        if (_made is null || !_made.Remove(id, out var filter)) return false;
        if (filter.Subscription is { } subscription)
        {
            _bySubscription!.Remove(subscription);
            foreach (var taskId in filter.TaskIds) session.Tasks!.Region.Tell(new UnwatchTask(taskId, session.TaskScope.Owner, session.Host.Inbox!, subscription));
        }
        return true;
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
        if (!End(id)) return false;
        session.Modern!.Forget(id);
        return true;
    }

    /// <summary>The server shuts down: every listen ends with its (empty) result, which says so.</summary>
    public void EndAll()
    {
        if (_made is null) return;
        foreach (var id in _made.Keys.ToArray())
        {
            End(id);
            session.SendResult(id, new JObject { ["_meta"] = new JObject { [SubscriptionIdKey] = id.ToToken() } }.ToString(Newtonsoft.Json.Formatting.None));
        }
    }

    private void Notify(RequestId id, string method, JObject parameters)
    {
        parameters["_meta"] = new JObject { [SubscriptionIdKey] = id.ToToken() };
        session.Send(JsonRpcWriter.Notification(method, parameters), id);
    }

    private static bool Asked(JObject asked, string name) => asked[name] is JValue { Type: JTokenType.Boolean } flag && (bool)flag!;

    /// <summary>The strings of <c>resourceSubscriptions</c> or <c>taskIds</c>, each once (none when absent), or null when it is not an array of strings.</summary>
    private static HashSet<string>? Strings(JToken? token)
    {
        var strings = new HashSet<string>(StringComparer.Ordinal);
        if (token is null || token.Type == JTokenType.Null) return strings;
        if (token is not JArray array) return null;
        foreach (var item in array)
        {
            if (item is not JValue { Type: JTokenType.String } value) return null;
            strings.Add((string)value!);
        }
        return strings;
    }
}
