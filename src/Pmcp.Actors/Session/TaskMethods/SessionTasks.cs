using System.Security.Claims;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Session.Era2026;
using Pmcp.Protocol;

namespace Pmcp.Actors.Session.TaskMethods;

/// <summary>
/// A session's side of tasks: who owns the tasks it makes, which ones it made (2025-11-25 <c>tasks/list</c>), and the
/// checks every <c>tasks/*</c> request passes first. The owner is the authenticated caller (its subject), so a caller
/// finds its tasks from any session and any gateway; an unauthenticated 2025 session owns its own tasks only; an
/// unauthenticated 2026-07-28 request has no session, and its tasks are found by their (unguessable) id alone.
/// </summary>
internal sealed class SessionTasks(McpSession session)
{
    public const string ExtensionId = "io.modelcontextprotocol/tasks";

    /// <summary>The most task ids a session remembers for <c>tasks/list</c>: the oldest are forgotten first.</summary>
    private const int MaxListed = 1000;

    private readonly LinkedList<string> _made = new();
    private string? _owner;

    public string Owner => _owner ??= OwnerOf(session);

    public IReadOnlyCollection<string> Made => _made;

    public void Remember(string taskId)
    {
        _made.AddLast(taskId);
        if (_made.Count > MaxListed) _made.RemoveFirst();
    }

    public void Forget(string taskId) => _made.Remove(taskId);

    /// <summary>The 2025-11-25 <c>tasks</c> capability: tasks are listed, cancelled, and made by <c>tools/call</c>.</summary>
    public static JObject Capability2025() => new()
    {
        ["list"] = new JObject(),
        ["cancel"] = new JObject(),
        ["requests"] = new JObject { ["tools"] = new JObject { ["call"] = new JObject() } },
    };

    /// <summary>
    /// True when the tasks request may go on, with its <c>params.taskId</c>; otherwise it is answered: -32601 when the
    /// server runs no tasks, -32021 (2026-07-28) when the request did not declare the tasks extension, -32602 without a taskId.
    /// </summary>
    public static bool Admit(McpSession session, RequestId id, JsonRpcMessage request, out string taskId)
    {
        taskId = "";
        if (session.Tasks is null)
        {
            session.SendError(id, JsonRpcErrorCodes.MethodNotFound, $"Method not found: {request.Method}");
            return false;
        }
        if (session.Modern is not null && !DeclaredExtension(session, id))
        {
            session.Reply(id, JsonRpcWriter.Error(id, MissingExtension(request.Method!)));
            return false;
        }
        if (request.Param("taskId") is not JValue { Type: JTokenType.String } value || ((string?)value)!.Length == 0)
        {
            session.SendError(id, JsonRpcErrorCodes.InvalidParams, $"{request.Method} needs params.taskId (a string).");
            return false;
        }
        taskId = (string)value!;
        return true;
    }

    /// <summary>Whether the 2026-07-28 request <paramref name="id"/> declared the tasks extension in its client capabilities.</summary>
    public static bool DeclaredExtension(McpSession session, RequestId id) =>
        session.Modern!.TryGet(id, out var meta) && meta.Capabilities.HasFlag(ClientCapabilityFlags.TasksExtension);

    /// <summary>-32021 naming the tasks extension as the capability the request lacks.</summary>
    public static JsonRpcError MissingExtension(string method) => new(ModernProtocol.MissingRequiredClientCapability,
        $"{method} needs the client capability extensions[\"{ExtensionId}\"], which the request's _meta did not declare.",
        new JObject { ["requiredCapabilities"] = new JObject { ["extensions"] = new JObject { [ExtensionId] = new JObject() } } });

    /// <summary>The answer to a task id the caller cannot see (never made, expired, or another caller's): -32602, the same for all three.</summary>
    public static string Unknown(RequestId id, string taskId) =>
        JsonRpcWriter.Error(id, JsonRpcErrorCodes.InvalidParams, $"Unknown task: {taskId}");

    private static string OwnerOf(McpSession session)
    {
        if (session.Caller is { } caller)
        {
            var principal = CallerIdentity(caller);
            var subject = principal.FindFirst("sub")?.Value ?? principal.FindFirst(ClaimTypes.NameIdentifier)?.Value ?? principal.Identity?.Name;
            if (subject is not null) return $"user:{caller.AuthenticationType}:{subject}";
        }
        return session.Modern is not null ? "anonymous" : "session:" + Guid.NewGuid().ToString("N");
    }

    private static ClaimsPrincipal CallerIdentity(Security.CallerIdentity caller) => Security.CallerIdentity.ToPrincipal(caller);
}
