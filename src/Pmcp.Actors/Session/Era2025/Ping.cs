using Pmcp.Protocol;

namespace Pmcp.Actors.Session.Era2025;

/// <summary><c>ping</c>: an empty result, before initialize too.</summary>
internal static class Ping
{
    public static void Handle(McpSession session, RequestId id, JsonRpcMessage request) => session.SendResult(id, "{}");
}
