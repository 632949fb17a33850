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
        JToken token;
        try
        {
            token = McpJson.Parse(text);
        }
        catch (JsonReaderException ex)
        {
            error = new JsonRpcError(JsonRpcErrorCodes.ParseError, "Parse error: " + ex.Message);
            return false;
        }

        return TryFrom(token, out message, out error, out errorId);
    }

    public static bool TryFrom(JToken token, out JsonRpcMessage? message, out JsonRpcError? error, out RequestId? errorId)
    {
        message = null;
        errorId = null;
        if (token is not JObject obj)
        {
            error = Invalid(token is JArray ? "Batches (JSON arrays) are not accepted." : "A JSON-RPC message must be a JSON object.");
            return false;
        }

        var idToken = obj["id"];
        var hasId = obj.ContainsKey("id");
        RequestId id = default;
        var idValid = hasId && RequestId.TryFrom(idToken, out id);
        if (idValid) errorId = id;

        if ((string?)(obj["jsonrpc"] as JValue) != "2.0" || obj["jsonrpc"]?.Type != JTokenType.String)
        {
            error = Invalid("The member \"jsonrpc\" must be the string \"2.0\".");
            return false;
        }

        if (obj.TryGetValue("method", out var methodToken))
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

            var paramsToken = obj["params"];
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

        if (obj.TryGetValue("result", out var result) && !obj.ContainsKey("error") && idValid)
        {
            message = new JsonRpcMessage(JsonRpcMessageKind.Response) { Id = id, Result = result };
            error = null;
            return true;
        }

        if (obj["error"] is JObject err && !obj.ContainsKey("result") && err["code"]?.Type == JTokenType.Integer
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
