using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Pmcp.Protocol;

internal enum JsonRpcMessageKind
{
    Request,
    Notification,
    Response,
    ErrorResponse,
}

/// <summary>One JSON-RPC 2.0 message after validation of its envelope.</summary>
internal sealed partial class JsonRpcMessage
{
    private JsonRpcMessage(JsonRpcMessageKind kind) => Kind = kind;

    private JsonRpcMessage(JsonRpcMessageKind kind, in Members read)
    {
        Kind = kind;
        _paramsRead = read.ParamsRead;
        _paramMembers = read.ParamMembers;
        _paramCount = read.ParamCount;
        _keptMeta = read.Meta;
        _keptArguments = read.Arguments;
    }

    public JsonRpcMessageKind Kind { get; }

    /// <summary>The id of a request or response; <c>null</c> for notifications and for error responses that could not name one.</summary>
    public RequestId? Id { get; private init; }

    public string? Method { get; private init; }

    /// <summary>The params object; <c>null</c> when absent.</summary>
    /// <remarks>
    /// A parsed message keeps params as the list of its members and makes the object on first use: handlers that only
    /// look up members (<see cref="Param"/>, as every <c>tools/call</c> does) never pay for it.
    /// </remarks>
    public JObject? Params
    {
        get => _params ??= _paramsRead ? ParamsObject(_paramMembers, _paramCount, _keptMeta) : null;
        private init => _params = value;
    }

    private JObject? _params;
    private readonly bool _paramsRead;
    private readonly ParamMember[]? _paramMembers;
    private readonly int _paramCount;

    /// <summary>The member <paramref name="name"/> of params (null when params or the member is absent), without making <see cref="Params"/>.</summary>
    public JToken? Param(string name)
    {
        if (_params is not null) return _params[name];
        for (var i = 0; i < _paramCount; i++)
        {
            if (string.Equals(_paramMembers![i].Name, name, StringComparison.Ordinal)) return _paramMembers[i].Token(_keptMeta);
        }
        return null;
    }

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
            // Strict JSON goes the fast route. Text that is JSON but not an object (a batch, a number) takes the general
            // path for its error.
            if (!TryReadMembersUtf8(text, out members) && !TryReadMembers(text, out members))
                return TryFrom(McpJson.Parse(text), out message, out error, out errorId);
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

    private static bool TryFrom(in Members m, out JsonRpcMessage? message, out JsonRpcError? error, out RequestId? errorId)
    {
        message = null;
        errorId = null;
        var hasId = m.Id.Type != JTokenType.None;
        RequestId id = default;
        var idValid = hasId && m.Id.TryRequestId(out id);
        if (idValid && m.Repeated != "id") errorId = id;

        if (m.Repeated is { } repeated)
        {
            // JSON leaves repeated names to the reader (RFC 8259, 4), and readers differ: refused rather than guessed.
            error = Invalid($"The member \"{repeated}\" is given more than once; each member of a message and of its params may appear once.");
            return false;
        }

        if (m.JsonRpc.Type != JTokenType.String || (string?)m.JsonRpc.Value != "2.0")
        {
            error = Invalid("The member \"jsonrpc\" must be the string \"2.0\".");
            return false;
        }

        if (m.Method.Type != JTokenType.None)
        {
            if (m.Method.Type != JTokenType.String)
            {
                error = Invalid("The member \"method\" must be a string.");
                return false;
            }

            if (hasId && !idValid)
            {
                error = Invalid($"A request id must be a string or an integer of at most 64 bits, not {IdDescription(m)}.");
                return false;
            }

            var paramsToken = m.Params;
            if (paramsToken is not null && paramsToken.Type != JTokenType.Object && paramsToken.Type != JTokenType.Null)
            {
                error = new JsonRpcError(JsonRpcErrorCodes.InvalidParams, "The member \"params\" must be an object.");
                return false;
            }

            message = new JsonRpcMessage(hasId ? JsonRpcMessageKind.Request : JsonRpcMessageKind.Notification, m)
            {
                Id = hasId ? id : null,
                Method = (string)m.Method.Value!,
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
            && err["message"]?.Type == JTokenType.String && (idValid || m.Id.Type == JTokenType.Null || !hasId))
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

    /// <summary>The id as written (cut short when long), for an error that names it.</summary>
    private static string IdDescription(in Members m)
    {
        var text = m.IdText ?? m.Id.Type switch
        {
            JTokenType.Null => "null",
            JTokenType.Boolean => (bool)m.Id.Value! ? "true" : "false",
            JTokenType.Object => "an object",
            JTokenType.Array => "an array",
            _ => Convert.ToString(m.Id.Value, System.Globalization.CultureInfo.InvariantCulture) ?? m.Id.Type.ToString(),
        };
        const int Shown = 40;
        return text.Length <= Shown ? text : $"{text[..Shown]}… ({text.Length} characters)";
    }

    private static JsonRpcError Invalid(string detail) => new(JsonRpcErrorCodes.InvalidRequest, "Invalid request: " + detail);
}
