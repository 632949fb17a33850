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
/// The thin baselines' whole MCP: answers <c>initialize</c>, <c>ping</c> and <c>tools/call echo</c> directly with
/// System.Text.Json, one message at a time, nothing kept between messages. Shared by the WebSocket and the HTTP baseline
/// so that both transports are measured with the same answering cost.
/// </summary>
internal static class ThinJsonRpc
{
    /// <summary>Writes the answer to one JSON-RPC message (nothing for a notification) and says what the message was.</summary>
    internal static ThinMessageKind Answer(ReadOnlySequence<byte> message, Utf8JsonWriter writer)
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
