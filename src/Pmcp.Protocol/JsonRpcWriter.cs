using System.Globalization;
using System.Text;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Pmcp.Protocol;

/// <summary>Writes JSON-RPC 2.0 messages as compact JSON text.</summary>
/// <remarks>Member names are the protocol's ASCII constants, written without the writer's escaping scan (same text).</remarks>
internal static class JsonRpcWriter
{
    /// <summary>A success response whose result is already JSON text (written as is, not re-parsed).</summary>
    /// <remarks>
    /// The hot path of every call, so it is one concatenation: the same text a JsonTextWriter writes (the id through
    /// <see cref="RequestId.ToString"/>, which escapes a string id as the writer does; the result raw).
    /// </remarks>
    public static string ResultRaw(RequestId id, string resultJson) => id.AsNumber is { } number
        ? string.Create(CultureInfo.InvariantCulture, $"{{\"jsonrpc\":\"2.0\",\"id\":{number},\"result\":{resultJson}}}") // no string for the number
        : string.Concat("{\"jsonrpc\":\"2.0\",\"id\":", id.ToString(), ",\"result\":", resultJson, "}");

    /// <summary>A success response, written in one pass (a tool's result writes itself, as in <see cref="McpJson.Serialize"/>).</summary>
    public static string Result(RequestId id, object result) => Result(id, result, resultType: null);

    /// <summary>
    /// A result response; a <see cref="CallToolResult"/> gets <paramref name="resultType"/> as a member of its own when
    /// given (any other result is written as it is, and the era adds the member to it afterwards).
    /// </summary>
    public static string Result(RequestId id, object result, string? resultType) => McpJson.WriteText((id, result, resultType), static (w, s) =>
    {
        WriteHeader(w);
        w.WritePropertyName("id", escape: false);
        s.id.WriteTo(w);
        w.WritePropertyName("result", escape: false);
        if (s.resultType is not null && s.result is CallToolResult tool) tool.WriteTo(w, s.resultType);
        else McpJson.WriteValue(w, s.result);
        w.WriteEndObject();
    });

    /// <summary>An error response; a <c>null</c> id is written as JSON null (the request's id could not be read).</summary>
    public static string Error(RequestId? id, JsonRpcError error) => Write(w =>
    {
        WriteHeader(w);
        w.WritePropertyName("id", escape: false);
        if (id is { } known) known.WriteTo(w);
        else w.WriteNull();
        w.WritePropertyName("error", escape: false);
        McpJson.Serializer.Serialize(w, error);
    });

    public static string Error(RequestId? id, int code, string message) => Error(id, new JsonRpcError(code, message));

    public static string Notification(string method, object? @params) => Write(w =>
    {
        WriteHeader(w);
        w.WritePropertyName("method", escape: false);
        w.WriteValue(method);
        if (@params is not null)
        {
            w.WritePropertyName("params", escape: false);
            McpJson.Serializer.Serialize(w, @params);
        }
    });

    /// <summary>A request whose params are already JSON text (or absent).</summary>
    public static string RequestRaw(RequestId id, string method, string? paramsJson) => Write(w =>
    {
        WriteHeader(w);
        w.WritePropertyName("id", escape: false);
        id.WriteTo(w);
        w.WritePropertyName("method", escape: false);
        w.WriteValue(method);
        if (paramsJson is not null)
        {
            w.WritePropertyName("params", escape: false);
            w.WriteRawValue(paramsJson);
        }
    });

    public static string Request(RequestId id, string method, object? @params) => Write(w =>
    {
        WriteHeader(w);
        w.WritePropertyName("id", escape: false);
        id.WriteTo(w);
        w.WritePropertyName("method", escape: false);
        w.WriteValue(method);
        if (@params is not null)
        {
            w.WritePropertyName("params", escape: false);
            McpJson.Serializer.Serialize(w, @params);
        }
    });

    private static void WriteHeader(JsonWriter w)
    {
        w.WriteStartObject();
        w.WritePropertyName("jsonrpc", escape: false);
        w.WriteValue("2.0");
    }

    private static string Write(Action<JsonWriter> body) => McpJson.WriteText(body, static (w, b) =>
    {
        b(w);
        w.WriteEndObject();
    });
}
