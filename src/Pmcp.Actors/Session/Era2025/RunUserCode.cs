using Pmcp.Protocol;

namespace Pmcp.Actors.Session.Era2025;

/// <summary><c>tools/call</c>, <c>resources/read</c>, <c>prompts/get</c>, <c>completion/complete</c>: user code, run as a call of the session's (<see cref="SessionCalls"/>).</summary>
internal static class RunUserCode
{
    public static void Handle(McpSession session, RequestId id, JsonRpcMessage request) => session.Calls.Start(id, request.Method!, request);
}
