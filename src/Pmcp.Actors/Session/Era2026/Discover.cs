using Newtonsoft.Json.Linq;
using Pmcp.Protocol;

namespace Pmcp.Actors.Session.Era2026;

/// <summary>
/// <c>server/discover</c>: what the server is, for a client that sends no <c>initialize</c> — the versions it speaks,
/// its capabilities, its instructions, and its name and version in <c>_meta["io.modelcontextprotocol/serverInfo"]</c>.
/// </summary>
internal static class Discover
{
    public static void Handle(McpSession session, RequestId id, JsonRpcMessage request)
    {
        var definition = session.Definition;
        var result = new JObject
        {
            ["supportedVersions"] = new JArray(ModernProtocol.SupportedVersions),
            ["capabilities"] = Capabilities(definition.Capabilities),
        };
        if (session.Tasks is not null) ((JObject)result["capabilities"]!)["extensions"] = new JObject { [TaskMethods.SessionTasks.ExtensionId] = new JObject() };
        if (definition.Instructions is { } instructions) result["instructions"] = instructions;
        result["_meta"] = new JObject { [ModernProtocol.ServerInfoKey] = JToken.FromObject(definition.ServerInfo, McpJson.Serializer) };
        session.SendResult(id, McpJson.Serialize(result));
    }

    /// <summary>The server's capabilities: list changes and resource updates reach a 2026 client through <c>subscriptions/listen</c>.</summary>
    public static JObject Capabilities(ServerCapabilities capabilities) => JObject.FromObject(capabilities, McpJson.Serializer);
}
