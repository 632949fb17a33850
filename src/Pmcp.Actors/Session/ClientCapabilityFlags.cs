using Newtonsoft.Json.Linq;
using Pmcp.Protocol;
using static Pmcp.Actors.Messages.ConnectionProtocol;

namespace Pmcp.Actors.Session;

/// <summary>What a client declared in initialize, as flags: which requests the server may send it.</summary>
[Flags]
internal enum ClientCapabilityFlags
{
    None = 0,
    Sampling = 1,
    Roots = 2,
    Elicitation = 4,
    ElicitationForm = 8,
    ElicitationUrl = 16,

    /// <summary>2026-07-28: the request declared the tasks extension (<c>extensions["io.modelcontextprotocol/tasks"]</c>).</summary>
    TasksExtension = 32,
}

internal static partial class ClientCapabilityFlagsExtensions
{
    /// <summary>Why this client may not be sent <paramref name="request"/>, or null when it may.</summary>
    public static string? Refusal(this ClientCapabilityFlags flags, ClientRequest request, McpSession session)
    {
        if (request.Method == McpMethods.Ping) return null;
        if (!session.ClientInitialized) return "The client has not sent notifications/initialized yet.";
        var version = session.ProtocolVersion;
        switch (request.Method)
        {
            case McpMethods.SamplingCreateMessage:
                return flags.HasFlag(ClientCapabilityFlags.Sampling) ? null : "The client did not declare the sampling capability.";
            case McpMethods.RootsList:
                return flags.HasFlag(ClientCapabilityFlags.Roots) ? null : "The client did not declare the roots capability.";
            case McpMethods.ElicitationCreate:
                if (!flags.HasFlag(ClientCapabilityFlags.Elicitation) || string.CompareOrdinal(version, McpProtocolVersions.V2025_06_18) < 0)
                    return "The client did not declare the elicitation capability.";
                var mode = request.ParamsJson is null ? null : (string?)(McpJson.Parse(request.ParamsJson)["mode"] as JValue);
                if (mode == "url")
                {
                    return flags.HasFlag(ClientCapabilityFlags.ElicitationUrl) && string.CompareOrdinal(version, McpProtocolVersions.V2025_11_25) >= 0
                        ? null
                        : "The client did not declare URL-mode elicitation.";
                }
                return flags.HasFlag(ClientCapabilityFlags.ElicitationForm) ? null : "The client did not declare form-mode elicitation.";
            default:
                return $"The server does not send {request.Method} to clients.";
        }
    }
}
