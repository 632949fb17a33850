using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Pmcp.Protocol;

public enum JsonRpcMessageKind
{
    Request,
    Notification,
    Response,
    ErrorResponse,
}

/// <summary>One JSON-RPC 2.0 message after validation of its envelope.</summary>
public sealed class JsonRpcMessage
{
    private JsonRpcMessage(JsonRpcMessageKind kind) => Kind = kind;

    public JsonRpcMessageKind Kind { get; }

    /// <summary>The id of a request or response; <c>null</c> for notifications and for error responses that could not name one.</summary>
    public RequestId? Id { get; private init; }

    public string? Method { get; private init; }

    /// <summary>The params object; <c>null</c> when absent.</summary>
    public JObject? Params { get; private init; }

    public JToken? Result { get; private init; }

    public JsonRpcError? Error { get; private init; }

    /// <summary>
    /// Parses and validates one message. On failure <paramref name="error"/> holds the error to answer with
    /// (-32700 for text that is not JSON, -32600 for JSON that is not a JSON-RPC message) and
    /// <paramref name="errorId"/> the id to echo, when one could be read.
    /// </summary>
    public static bool TryParse(string text, out JsonRpcMessage? message, out JsonRpcError? error, out RequestId? errorId)
    {
        message = null;
        errorId = null;
        Members members;
        try
        {
            // Text that is JSON but not an object (a batch, a number) takes the general path for its error.
            if (!TryReadMembers(text, out members)) return TryFrom(McpJson.Parse(text), out message, out error, out errorId);
        }
        catch (JsonReaderException ex)
        {
            error = new JsonRpcError(JsonRpcErrorCodes.ParseError, "Parse error: " + ex.Message);
            return false;
        }

        return TryFrom(members, out message, out error, out errorId);
    }

    public static bool TryFrom(JToken token, out JsonRpcMessage? message, out JsonRpcError? error, out RequestId? errorId)
    {
        if (token is not JObject obj)
        {
            message = null;
            errorId = null;
            error = Invalid(token is JArray ? "Batches (JSON arrays) are not accepted." : "A JSON-RPC message must be a JSON object.");
            return false;
        }

        return TryFrom(Members.Of(obj), out message, out error, out errorId);
    }

    /// <summary>The envelope's members as read; a member that is absent is null, one that is JSON null is a null JValue.</summary>
    private struct Members
    {
        public JToken? JsonRpc;
        public JToken? Id;
        public JToken? Method;
        public JToken? Params;
        public JToken? Result;
        public JToken? Error;

        public static Members Of(JObject obj) => new()
        {
            JsonRpc = obj["jsonrpc"],
            Id = obj["id"],
            Method = obj["method"],
            Params = obj["params"],
            Result = obj["result"],
            Error = obj["error"],
        };
    }

    /// <summary>
    /// Reads a message's members straight from the text, making tokens only of the values the envelope needs (params is
    /// one object, with no envelope object around it: a JObject costs a dictionary and an object per member). Other
    /// members are read through, so they are checked as JSON exactly as before; a repeated member keeps its last value,
    /// as when the whole text was loaded as an object. False when the text is not an object.
    /// </summary>
    private static bool TryReadMembers(string text, out Members members)
    {
        members = default;
        using var reader = McpJson.NewReader(text);
        if (!ReadContent(reader) || reader.TokenType != JsonToken.StartObject) return false;
        while (true)
        {
            if (!ReadContent(reader)) throw new JsonReaderException("Unexpected end of content while loading JObject.");
            if (reader.TokenType == JsonToken.EndObject) break;
            var name = (string)reader.Value!;
            if (!ReadContent(reader)) throw new JsonReaderException("Unexpected end of content while loading JObject.");
            switch (name)
            {
                case "jsonrpc": members.JsonRpc = Value(reader); break;
                case "id": members.Id = Value(reader); break;
                case "method": members.Method = Value(reader); break;
                case "params": members.Params = Value(reader); break;
                case "result": members.Result = Value(reader); break;
                case "error": members.Error = Value(reader); break;
                default: reader.Skip(); break;
            }
        }
        McpJson.ReadToEnd(reader);
        return true;

        static JToken Value(JsonReader reader) => JToken.ReadFrom(reader, McpJson.LoadSettings);
    }

    /// <summary>Moves to the next token that is not a comment; false at the end of the text.</summary>
    private static bool ReadContent(JsonReader reader)
    {
        while (reader.Read())
        {
            if (reader.TokenType != JsonToken.Comment) return true;
        }
        return false;
    }

    private static bool TryFrom(in Members m, out JsonRpcMessage? message, out JsonRpcError? error, out RequestId? errorId)
    {
        message = null;
        errorId = null;
        var idToken = m.Id;
        var hasId = idToken is not null;
        RequestId id = default;
        var idValid = hasId && RequestId.TryFrom(idToken, out id);
        if (idValid) errorId = id;

        if ((string?)(m.JsonRpc as JValue) != "2.0" || m.JsonRpc?.Type != JTokenType.String)
        {
            error = Invalid("The member \"jsonrpc\" must be the string \"2.0\".");
            return false;
        }

        if (m.Method is { } methodToken)
        {
            if (methodToken.Type != JTokenType.String)
            {
                error = Invalid("The member \"method\" must be a string.");
                return false;
            }

            if (hasId && !idValid)
            {
                error = Invalid("A request id must be a string or an integer.");
                return false;
            }

            var paramsToken = m.Params;
            if (paramsToken is not null && paramsToken.Type != JTokenType.Object && paramsToken.Type != JTokenType.Null)
            {
                error = new JsonRpcError(JsonRpcErrorCodes.InvalidParams, "The member \"params\" must be an object.");
                return false;
            }

            message = new JsonRpcMessage(hasId ? JsonRpcMessageKind.Request : JsonRpcMessageKind.Notification)
            {
                Id = hasId ? id : null,
                Method = (string)methodToken!,
                Params = paramsToken as JObject,
            };
            error = null;
            return true;
        }

        if (m.Result is { } result && m.Error is null && idValid)
        {
            message = new JsonRpcMessage(JsonRpcMessageKind.Response) { Id = id, Result = result };
            error = null;
            return true;
        }

        if (m.Error is JObject err && m.Result is null && err["code"]?.Type == JTokenType.Integer
            && err["message"]?.Type == JTokenType.String && (idValid || idToken?.Type == JTokenType.Null || !hasId))
        {
            message = new JsonRpcMessage(JsonRpcMessageKind.ErrorResponse)
            {
                Id = idValid ? id : null,
                Error = new JsonRpcError((int)err["code"]!, (string)err["message"]!, err["data"]),
            };
            error = null;
            return true;
        }

        error = Invalid("Not a request, notification or response.");
        return false;
    }

    private static JsonRpcError Invalid(string detail) => new(JsonRpcErrorCodes.InvalidRequest, "Invalid request: " + detail);
}
