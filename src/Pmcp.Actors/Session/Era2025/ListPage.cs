using Newtonsoft.Json.Linq;
using Pmcp.Protocol;
using static Pmcp.Actors.Messages.ToolRouterProtocol;

namespace Pmcp.Actors.Session.Era2025;

/// <summary><c>tools/list</c>, <c>resources/list</c>, <c>resources/templates/list</c>, <c>prompts/list</c>: a page from the registry, which holds the lists.</summary>
internal static class ListPage
{
    public static void Handle(McpSession session, RequestId id, JsonRpcMessage request)
    {
        var cursor = request.Param("cursor"); // not Params: that would make every member of params (a 2026 _meta) into tokens
        if (cursor is not null && cursor.Type is not (JTokenType.String or JTokenType.Null))
        {
            session.SendError(id, JsonRpcErrorCodes.InvalidParams, "params.cursor must be a string.");
            return;
        }
        session.Host.RequestList(new ListItems(id, request.Method!, (string?)cursor));
    }
}
