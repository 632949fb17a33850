using Newtonsoft.Json.Linq;
using Pmcp.Protocol;

namespace Pmcp.Actors.Session.Era2025;

/// <summary><c>initialize</c>: agrees on a protocol revision, keeps what the client can do, and answers with the server's capabilities.</summary>
internal static class Initialize
{
    public static void Handle(McpSession session, RequestId id, JsonRpcMessage request)
    {
        if (session.Phase != SessionPhase.AwaitingInitialize)
        {
            session.SendError(id, JsonRpcErrorCodes.InvalidRequest, "The session is already initialized.");
            return;
        }

        var parameters = request.Params;
        if (parameters?["protocolVersion"] is not { Type: JTokenType.String } requested)
        {
            session.SendError(id, JsonRpcErrorCodes.InvalidParams, "initialize needs params.protocolVersion (a string).");
            return;
        }

        var version = McpProtocolVersions.Negotiate((string?)requested);
        var definition = session.Definition;
        var capabilities = session.Tasks is null || string.CompareOrdinal(version, McpProtocolVersions.V2025_11_25) < 0
            ? definition.Capabilities
            : definition.Capabilities with { Tasks = TaskMethods.SessionTasks.Capability2025() };
        var result = new InitializeResult(version, capabilities, definition.ServerInfo)
        {
            Instructions = definition.Instructions,
        };
        session.Initialized(version, ClientCapabilityFlagsExtensions.Read(parameters["capabilities"] as JObject));
        session.Reply(id, JsonRpcWriter.Result(id, result));
    }
}
