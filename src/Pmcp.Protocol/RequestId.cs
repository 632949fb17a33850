using System.Globalization;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Pmcp.Protocol;

/// <summary>
/// A JSON-RPC request id: a string or an integer (never null). Equality keeps the kind, so
/// <c>1</c> and <c>"1"</c> are different ids, and an id is always written back exactly as it came.
/// </summary>
[JsonConverter(typeof(RequestIdConverter))]
public readonly record struct RequestId
{
    private readonly string? _string;
    private readonly long _number;

    public RequestId(long number) { _number = number; _string = null; }

    public RequestId(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _string = value;
        _number = 0;
    }

    public bool IsString => _string is not null;

    public string? AsString => _string;

    public long? AsNumber => _string is null ? _number : null;

    /// <summary>Reads an id from a token: strings and integers that fit in 64 bits are ids; anything else is not.</summary>
    public static bool TryFrom(JToken? token, out RequestId id) => token is JValue value
        ? TryFrom(value.Type, value.Value, out id)
        : TryFrom(JTokenType.None, null, out id);

    /// <summary>The same rule for a value as read, before (or without) a token: its token type and its value.</summary>
    internal static bool TryFrom(JTokenType type, object? value, out RequestId id)
    {
        switch (type)
        {
            case JTokenType.String when value is string s:
                id = new RequestId(s);
                return true;
            case JTokenType.Integer when value is long l:
                id = new RequestId(l);
                return true;
            case JTokenType.Integer when value is int i:
                id = new RequestId(i);
                return true;
            default:
                id = default;
                return false;
        }
    }

    public void WriteTo(JsonWriter writer)
    {
        if (_string is not null) writer.WriteValue(_string);
        else writer.WriteValue(_number);
    }

    public JToken ToToken() => _string is not null ? new JValue(_string) : new JValue(_number);

    public override string ToString() =>
        _string is not null ? JsonConvert.ToString(_string) : _number.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Reads and writes a request id as the JSON string or integer it is; a <c>RequestId?</c> that is null as null.</summary>
internal sealed class RequestIdConverter : JsonConverter
{
    public override bool CanConvert(Type objectType) => objectType == typeof(RequestId) || objectType == typeof(RequestId?);

    public override void WriteJson(JsonWriter writer, object? value, JsonSerializer serializer)
    {
        if (value is RequestId id) id.WriteTo(writer);
        else writer.WriteNull();
    }

    public override object? ReadJson(JsonReader reader, Type objectType, object? existingValue, JsonSerializer serializer)
    {
        if (reader.TokenType == JsonToken.Null && objectType == typeof(RequestId?)) return null;
        var token = JToken.ReadFrom(reader);
        return RequestId.TryFrom(token, out var id)
            ? id
            : throw new JsonSerializationException($"A request id must be a string or an integer, not {token.Type}.");
    }
}
