using Newtonsoft.Json.Linq;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using static Pmcp.Actors.Runtime.ConnectionProtocol;

namespace Pmcp.Actors.Session.Era2026;

/// <summary>
/// What happens in 2026-07-28 when a tool asks its client something (sampling, elicitation, roots): there are no
/// server→client requests. A request whose <c>_meta</c> did not declare the capability the question needs is answered
/// -32021 with <c>data.requiredCapabilities</c>, and its call is cancelled.
/// </summary>
internal static class InputRequests
{
    public static void Ask(McpSession session, ClientRequest request, object asker)
    {
        if (!session.Modern!.TryGet(request.RelatedRequest, out var meta))
        {
            session.Host.TellAsker(asker, new ClientRequestFailed(request.Key, ClientRequestFailure.NotSupported,
                "In 2026-07-28 the server can ask the client only while one of its requests runs."));
            return;
        }

        if (Missing(request.Method, meta.Capabilities) is { } capability)
        {
            var related = request.RelatedRequest!.Value;
            var error = new JsonRpcError(ModernProtocol.MissingRequiredClientCapability,
                $"The request needs the client capability '{capability}', which its _meta did not declare.",
                new JObject { ["requiredCapabilities"] = new JObject { [capability] = new JObject() } });
            session.Host.TellAsker(asker, new ClientRequestFailed(request.Key, ClientRequestFailure.NotSupported, error.Message));
            session.Calls.AnswerInstead(related, JsonRpcWriter.Error(related, error));
            return;
        }

        session.Host.TellAsker(asker, new ClientRequestFailed(request.Key, ClientRequestFailure.NotSupported,
            $"{request.Method} is not available to 2026-07-28 requests on this server yet."));
    }

    /// <summary>The capability <paramref name="method"/> needs that <paramref name="declared"/> lacks, or null.</summary>
    private static string? Missing(string method, ClientCapabilityFlags declared) => method switch
    {
        McpMethods.SamplingCreateMessage when !declared.HasFlag(ClientCapabilityFlags.Sampling) => "sampling",
        McpMethods.ElicitationCreate when !declared.HasFlag(ClientCapabilityFlags.Elicitation) => "elicitation",
        McpMethods.RootsList when !declared.HasFlag(ClientCapabilityFlags.Roots) => "roots",
        _ => null,
    };
}
