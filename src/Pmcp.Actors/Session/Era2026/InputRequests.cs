using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using static Pmcp.Actors.Messages.ConnectionProtocol;

namespace Pmcp.Actors.Session.Era2026;

/// <summary>
/// What happens in 2026-07-28 when a tool asks its client something (sampling, elicitation, roots): there are no
/// server→client requests. A question the request's retry answered gets that answer at once; one its <c>_meta</c> did
/// not declare the capability for is refused (the handler may do without; if it fails, the request is answered -32021
/// with <c>data.requiredCapabilities</c>); any other is asked in the request's <c>InputRequiredResult</c>
/// (<see cref="InputRound"/>), and the handler stops. Only <c>tools/call</c>, <c>prompts/get</c> and
/// <c>resources/read</c> may ask.
/// </summary>
internal static class InputRequests
{
    public static void Ask(McpSession session, ClientRequest request, object asker)
    {
        var modern = session.Modern!;
        if (request.RelatedRequest is not { } related || !modern.TryGet(related, out var meta))
        {
            Refuse(session, request, asker, "In 2026-07-28 the server can ask the client only while one of its requests runs.");
            return;
        }
        if (Missing(request.Method, meta.Capabilities) is { } capability)
        {
            modern.LackedCapability(related, capability);
            Refuse(session, request, asker, $"The request did not declare the client capability '{capability}' in its _meta.");
            return;
        }
        if (request.InputKey is not { } key || modern.Round(related) is not { } round)
        {
            Refuse(session, request, asker, request.InputKey is null
                ? $"{request.Method} is not part of 2026-07-28."
                : "In 2026-07-28 only tools/call, prompts/get and resources/read may ask the client for input.");
            return;
        }

        if (round.Answer(key) is { } answer)
        {
            session.Host.TellAsker(asker, new ClientRequestCompleted(request.Key, answer));
            return;
        }
        round.Ask(key, request.Method, request.ParamsJson);
        session.Host.TellAsker(asker, new ClientInputRequired(request.Key));
    }

    private static void Refuse(McpSession session, ClientRequest request, object asker, string why) =>
        session.Host.TellAsker(asker, new ClientRequestFailed(request.Key, ClientRequestFailure.NotSupported, why));

    /// <summary>The capability <paramref name="method"/> needs that <paramref name="declared"/> lacks, or null.</summary>
    private static string? Missing(string method, ClientCapabilityFlags declared) => method switch
    {
        McpMethods.SamplingCreateMessage when !declared.HasFlag(ClientCapabilityFlags.Sampling) => "sampling",
        McpMethods.ElicitationCreate when !declared.HasFlag(ClientCapabilityFlags.Elicitation) => "elicitation",
        McpMethods.RootsList when !declared.HasFlag(ClientCapabilityFlags.Roots) => "roots",
        _ => null,
    };
}
