using Microsoft.AspNetCore.Http;
using Pmcp.Protocol;

namespace Pmcp.Actors.Transport;

/// <summary>What a request must be before it reaches a session: its message read from the body, its headers, its caller.</summary>
internal sealed partial class StreamableHttpEndpoint
{
    /// <summary>
    /// The message a POST's body holds, read from its bytes (the buffer goes back to the pool here); null with the 400
    /// answer's JSON in <paramref name="refusal"/> for a batch or anything that is not one valid message. A body the byte
    /// reader does not take (not strict JSON, not a valid message) is read as text, which gives every verdict and error as
    /// before. <paramref name="forwardedText"/>: the body as text when <paramref name="keepText"/> (the session it names may
    /// live on another gateway, where it is forwarded as text) or when it was read as text; null otherwise.
    /// </summary>
    private static JsonRpcMessage? ReadMessage(PostedBody body, bool keepText, out string? forwardedText, out string? refusal)
    {
        forwardedText = null;
        refusal = null;
        try
        {
            if (JsonRpcMessage.TryParseStrict(body.Utf8, out var message))
            {
                if (keepText) forwardedText = body.Text();
                return message;
            }

            var text = body.Text();
            if (text.AsSpan().TrimStart().StartsWith("["))
            {
                refusal = JsonRpcWriter.Error(null, JsonRpcErrorCodes.InvalidRequest, "Invalid request: JSON-RPC batches are not accepted over Streamable HTTP; POST one message at a time.");
                return null;
            }
            if (!JsonRpcMessage.TryParse(text, out var parsed, out var error, out var errorId))
            {
                refusal = JsonRpcWriter.Error(errorId, error!);
                return null;
            }
            forwardedText = text;
            return parsed;
        }
        finally
        {
            body.Return();
        }
    }

    /// <summary>True when <paramref name="caller"/> may use the session <paramref name="owner"/> created: the same kind of authentication and the same name.</summary>
    internal static bool SameCaller(Security.CallerIdentity? owner, Security.CallerIdentity? caller)
    {
        if (owner is null || caller is null) return owner is null && caller is null;
        return owner.AuthenticationType == caller.AuthenticationType && Name(owner) == Name(caller);

        static string? Name(Security.CallerIdentity identity) => identity.Claims.FirstOrDefault(c => c.Type == identity.NameClaimType).Value;
    }

    /// <summary>A present <c>MCP-Protocol-Version</c> must name a revision the server speaks (absent: 2025-03-26 is assumed, as the spec says).</summary>
    private static bool CheckProtocolVersion(HttpContext context, out string refusal)
    {
        var version = context.Request.Headers[McpHttpHeaderNames.ProtocolVersion].ToString();
        if (version.Length == 0 || McpProtocolVersions.IsSupported(version))
        {
            refusal = "";
            return true;
        }
        refusal = $"Unsupported {McpHttpHeaderNames.ProtocolVersion} '{version}': this server speaks {string.Join(", ", McpProtocolVersions.Supported)}.";
        return false;
    }

    /// <summary>The Accept header MCP clients send with every POST; read as a string first, so the usual request parses no header.</summary>
    private const string UsualAccept = "application/json, text/event-stream";

    private static bool Accepts(HttpRequest request, string mediaType)
    {
        if (request.Headers.Accept is { Count: 1 } raw && (raw[0] == UsualAccept || raw[0] == mediaType)) return true;
        var slash = mediaType.IndexOf('/');
        var anyOfType = mediaType[..slash] + "/*";
        foreach (var accepted in request.GetTypedHeaders().Accept)
        {
            var value = accepted.MediaType.Value;
            if (value is null || accepted.Quality == 0) continue;
            if (value.Equals(mediaType, StringComparison.OrdinalIgnoreCase) || value == "*/*" || value.Equals(anyOfType, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }
}
