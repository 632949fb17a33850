using Newtonsoft.Json.Linq;
using Pmcp.Protocol;

namespace Pmcp.Actors.Session.Era2025;

/// <summary><c>logging/setLevel</c>: the lowest level of log messages this session's client gets.</summary>
internal static class SetLogLevel
{
    public static void Handle(McpSession session, RequestId id, JsonRpcMessage request)
    {
        var rank = LoggingLevels.Rank((string?)(request.Params?["level"] as JValue));
        if (rank < 0)
        {
            session.SendError(id, JsonRpcErrorCodes.InvalidParams, $"params.level must be one of: {string.Join(", ", LoggingLevels.All)}.");
            return;
        }
        session.LogRank = rank;
        session.SendResult(id, "{}");
    }
}
