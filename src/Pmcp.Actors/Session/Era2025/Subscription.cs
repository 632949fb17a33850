using Newtonsoft.Json.Linq;
using Pmcp.Protocol;

namespace Pmcp.Actors.Session.Era2025;

/// <summary><c>resources/subscribe</c> and <c>resources/unsubscribe</c>: which resources' updates this session's client gets.</summary>
internal static class Subscription
{
    public static void Subscribe(McpSession session, RequestId id, JsonRpcMessage request) => Change(session, id, request, subscribe: true);

    public static void Unsubscribe(McpSession session, RequestId id, JsonRpcMessage request) => Change(session, id, request, subscribe: false);

    private static void Change(McpSession session, RequestId id, JsonRpcMessage request, bool subscribe)
    {
        if (request.Params?["uri"] is not { Type: JTokenType.String } uri)
        {
            session.SendError(id, JsonRpcErrorCodes.InvalidParams, "params.uri must be a string.");
            return;
        }
        if (subscribe) session.Subscriptions.Add((string)uri!);
        else session.Subscriptions.Remove((string)uri!);
        session.SendResult(id, "{}");
    }
}
