using System.Buffers;
using System.Text.Json;

namespace Pmcp.Actors.Benchmarks.Servers;

/// <summary>What a thin baseline was sent, as far as its transport needs to know.</summary>
internal enum ThinMessageKind
{
    /// <summary>An <c>initialize</c> request, answered.</summary>
    Initialize,

    /// <summary>Any other request, answered (with a result or a JSON-RPC error).</summary>
    Request,

    /// <summary>A notification: nothing written.</summary>
    Notification,

    /// <summary>Not JSON, or not a JSON-RPC message: a JSON-RPC error written with a null id.</summary>
    Invalid,
}

/// <summary>
/// The routing headers of a 2026-07-28 stateless POST (<c>MCP-Protocol-Version</c>, <c>Mcp-Method</c>, <c>Mcp-Name</c>),
/// which the thin HTTP baseline checks against the body as the revision asks of every server.
/// </summary>
internal readonly record struct ThinStatelessHeaders(string Version, string Method, string Name);

/// <summary>
/// The thin baselines' whole MCP: answers <c>initialize</c>, <c>ping</c> and <c>tools/call echo</c> directly with
/// System.Text.Json, one message at a time, nothing kept between messages. Shared by the WebSocket and the HTTP baseline
/// so that both transports are measured with the same answering cost. A 2026-07-28 stateless request (given with its
/// headers) is answered the same way after the checks that revision adds: the headers agree with the body, and its
/// <c>_meta</c> names the version and the client's capabilities; its result says <c>resultType: complete</c>.
/// </summary>
internal static class ThinJsonRpc
{
    /// <summary>The revision's error for routing headers that disagree with the body (HTTP 400).</summary>
    private const int HeaderMismatch = -32020;

    /// <summary>
    /// Writes the answer to one JSON-RPC message (nothing for a notification) and says what the message was;
    /// <paramref name="stateless"/>: the headers of a 2026-07-28 stateless request, checked first (a refusal is <see cref="ThinMessageKind.Invalid"/>).
    /// </summary>
    internal static ThinMessageKind Answer(ReadOnlySequence<byte> message, Utf8JsonWriter writer, ThinStatelessHeaders? stateless = null)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(message);
        }
        catch (JsonException)
        {
            WriteError(writer, default, -32700, "Parse error");
            return ThinMessageKind.Invalid;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("method", out var method))
            {
                WriteError(writer, default, -32600, "Invalid request");
                return ThinMessageKind.Invalid;
            }
            if (!root.TryGetProperty("id", out var id)) return ThinMessageKind.Notification;

            root.TryGetProperty("params", out var parameters);
            if (stateless is { } headers && StatelessRefusal(headers, method, parameters) is { } refusal)
            {
                WriteError(writer, id, HeaderMismatch, refusal);
                return ThinMessageKind.Invalid;
            }
            var kind = ThinMessageKind.Request;
            if (method.ValueEquals("tools/call"u8))
            {
                if (parameters.ValueKind == JsonValueKind.Object
                    && parameters.TryGetProperty("name", out var name) && name.ValueEquals("echo"u8)
                    && parameters.TryGetProperty("arguments", out var arguments) && arguments.ValueKind == JsonValueKind.Object
                    && arguments.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
                {
                    WriteHead(writer, id);
                    writer.WriteStartObject("result");
                    writer.WriteStartArray("content");
                    writer.WriteStartObject();
                    writer.WriteString("type", "text");
                    writer.WritePropertyName("text");
                    text.WriteTo(writer);
                    writer.WriteEndObject();
                    writer.WriteEndArray();
                    if (stateless is not null) writer.WriteString("resultType", "complete");
                    writer.WriteEndObject();
                    writer.WriteEndObject();
                }
                else
                {
                    WriteError(writer, id, -32602, "Unknown tool or bad arguments");
                }
            }
            else if (method.ValueEquals("initialize"u8))
            {
                kind = ThinMessageKind.Initialize;
                WriteHead(writer, id);
                writer.WriteStartObject("result");
                writer.WritePropertyName("protocolVersion");
                if (parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty("protocolVersion", out var version)) version.WriteTo(writer);
                else writer.WriteStringValue("2025-11-25");
                writer.WriteStartObject("capabilities");
                writer.WriteStartObject("tools");
                writer.WriteBoolean("listChanged", true);
                writer.WriteEndObject();
                writer.WriteEndObject();
                writer.WriteStartObject("serverInfo");
                writer.WriteString("name", "thin-baseline");
                writer.WriteString("version", "1.0.0");
                writer.WriteEndObject();
                writer.WriteEndObject();
                writer.WriteEndObject();
            }
            else if (method.ValueEquals("ping"u8))
            {
                WriteHead(writer, id);
                writer.WriteStartObject("result");
                writer.WriteEndObject();
                writer.WriteEndObject();
            }
            else
            {
                WriteError(writer, id, -32601, "Method not found");
            }
            return kind;
        }
    }

    /// <summary>Why a stateless request's headers or <c>_meta</c> do not fit its body, or null.</summary>
    private static string? StatelessRefusal(ThinStatelessHeaders headers, JsonElement method, JsonElement parameters)
    {
        if (!method.ValueEquals(headers.Method)) return "Mcp-Method does not match the body's method";
        if (parameters.ValueKind != JsonValueKind.Object
            || !parameters.TryGetProperty("_meta", out var meta) || meta.ValueKind != JsonValueKind.Object
            || !meta.TryGetProperty("io.modelcontextprotocol/protocolVersion"u8, out var version) || !version.ValueEquals(headers.Version)
            || !meta.TryGetProperty("io.modelcontextprotocol/clientCapabilities"u8, out var capabilities) || capabilities.ValueKind != JsonValueKind.Object)
            return "MCP-Protocol-Version does not match params._meta, or _meta lacks the client's capabilities";
        if (method.ValueEquals("tools/call"u8) && (!parameters.TryGetProperty("name", out var name) || !name.ValueEquals(headers.Name)))
            return "Mcp-Name does not match the tool's name";
        return null;
    }

    private static void WriteHead(Utf8JsonWriter writer, JsonElement id)
    {
        writer.WriteStartObject();
        writer.WriteString("jsonrpc", "2.0");
        writer.WritePropertyName("id");
        id.WriteTo(writer);
    }

    private static void WriteError(Utf8JsonWriter writer, JsonElement id, int code, string message)
    {
        writer.WriteStartObject();
        writer.WriteString("jsonrpc", "2.0");
        writer.WritePropertyName("id");
        if (id.ValueKind == JsonValueKind.Undefined) writer.WriteNullValue();
        else id.WriteTo(writer);
        writer.WriteStartObject("error");
        writer.WriteNumber("code", code);
        writer.WriteString("message", message);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
