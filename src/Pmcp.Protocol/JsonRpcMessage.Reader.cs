using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Pmcp.Protocol;

/// <summary>
/// Reading an envelope with Json.NET's text reader: the members a message has, as read, before any rule of JSON-RPC is
/// applied to them (the validation in JsonRpcMessage.cs, and the UTF-8 route in JsonRpcMessage.Utf8.cs, meet here).
/// </summary>
internal sealed partial class JsonRpcMessage
{
    /// <summary>
    /// The envelope's members as read. Absent: null, or a <see cref="Scalar"/> of type None; JSON null: a null JValue, or
    /// a <see cref="Scalar"/> of type Null.
    /// </summary>
    private struct Members
    {
        public Scalar JsonRpc;
        public Scalar Id;
        public Scalar Method;
        public JToken? Params;
        public JToken? Result;
        public JToken? Error;

        // params that is an object, as its members (ParamsRead: params was read this way; Params is then null).
        public bool ParamsRead;
        public ParamMember[]? ParamMembers;
        public int ParamCount;

        // params._meta kept as its place in the text (its ParamMember's value is null), or null: read into tokens, or absent.
        public KeptMeta? Meta;

        // params.arguments kept as its UTF-8 bytes (its ParamMember's Kept), or null: read into tokens, or absent.
        public KeptArguments? Arguments;

        // The first member of the envelope, or of params ("params.name"), that was given twice: the message is refused.
        public string? Repeated;

        // An integer id too long for Json.NET (read as a double) as written, to name it in the error.
        public string? IdText;

        public static Members Of(JObject obj) => new()
        {
            JsonRpc = Scalar.Of(obj["jsonrpc"]),
            Id = Scalar.Of(obj["id"]),
            Method = Scalar.Of(obj["method"]),
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
        var seen = 0;
        while (true)
        {
            if (!ReadContent(reader)) throw new JsonReaderException("Unexpected end of content while loading JObject.");
            if (reader.TokenType == JsonToken.EndObject) break;
            var name = (string)reader.Value!;
            if (!ReadContent(reader)) throw new JsonReaderException("Unexpected end of content while loading JObject.");
            if (EnvelopeMemberOf(name) is { } member && Repeated(ref seen, member, ref members))
            {
                reader.Skip(); // the first one stands; the message is refused once the text is read through
                continue;
            }
            switch (name)
            {
                case "jsonrpc": members.JsonRpc = Scalar.Read(reader); break;
                case "id": members.Id = Scalar.Read(reader); break;
                case "method": members.Method = Scalar.Read(reader); break;
                case "params" when reader.TokenType == JsonToken.StartObject:
                    members.ParamsRead = true;
                    members.Params = null;
                    ReadParams(reader, ref members);
                    break;
                case "params": // null, or a value that is refused below
                    (members.ParamsRead, members.ParamMembers, members.ParamCount) = (false, null, 0);
                    members.Params = Value(reader);
                    break;
                case "result": members.Result = Value(reader); break;
                case "error": members.Error = Value(reader); break;
                default: reader.Skip(); break;
            }
        }
        McpJson.ReadToEnd(reader);
        return true;

        static JToken Value(JsonReader reader) => JToken.ReadFrom(reader, McpJson.LoadSettings);
    }

    /// <summary>Reads the members of the params object the reader is on; a repeated member is noted in <see cref="Members.Repeated"/>.</summary>
    private static void ReadParams(JsonReader reader, ref Members read)
    {
        ParamMember[]? members = null;
        var count = 0;
        while (true)
        {
            if (!ReadContent(reader)) throw new JsonReaderException("Unexpected end of content while loading JObject.");
            if (reader.TokenType == JsonToken.EndObject) break;
            var name = (string)reader.Value!;
            if (!ReadContent(reader)) throw new JsonReaderException("Unexpected end of content while loading JObject.");
            if (!AddParam(ref members, ref count, name, JToken.ReadFrom(reader, McpJson.LoadSettings))) read.Repeated ??= "params." + name;
        }
        (read.ParamMembers, read.ParamCount) = (members, count);
    }

    /// <summary>
    /// Adds a params member as read; false, adding nothing, for a name given before. The message is then refused
    /// (-32600): a filter or proxy that reads the first <c>name</c> of a <c>tools/call</c> must not see another call
    /// than the one that would run.
    /// </summary>
    private static bool AddParam(ref ParamMember[]? members, ref int count, string name, JToken? value, KeptArguments? kept = null)
    {
        for (var at = 0; at < count; at++)
        {
            if (string.Equals(members![at].Name, name, StringComparison.Ordinal)) return false;
        }
        if (members is null) members = new ParamMember[4];
        else if (count == members.Length) Array.Resize(ref members, count * 2);
        members[count++] = new ParamMember(name, value, kept);
        return true;
    }

    /// <summary>The envelope's members, one bit each, to notice one given twice without a set per message.</summary>
    private enum EnvelopeMember
    {
        JsonRpc = 1,
        Id = 2,
        Method = 4,
        Params = 8,
        Result = 16,
        Error = 32,
    }

    private static EnvelopeMember? EnvelopeMemberOf(string name) => name switch
    {
        "jsonrpc" => EnvelopeMember.JsonRpc,
        "id" => EnvelopeMember.Id,
        "method" => EnvelopeMember.Method,
        "params" => EnvelopeMember.Params,
        "result" => EnvelopeMember.Result,
        "error" => EnvelopeMember.Error,
        _ => null,
    };

    /// <summary>Marks <paramref name="member"/> as read; true (and noted in <see cref="Members.Repeated"/>) when it was read before.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static bool Repeated(ref int seen, EnvelopeMember member, ref Members members)
    {
        if ((seen & (int)member) == 0)
        {
            seen |= (int)member;
            return false;
        }
        NoteRepeated(ref members, member);
        return true;
    }

    // Off the hot path: only a message that repeats a member gets here.
    private static void NoteRepeated(ref Members members, EnvelopeMember member) => members.Repeated ??= member switch
    {
        EnvelopeMember.JsonRpc => "jsonrpc",
        EnvelopeMember.Id => "id",
        EnvelopeMember.Method => "method",
        EnvelopeMember.Params => "params",
        EnvelopeMember.Result => "result",
        _ => "error",
    };

    private static JObject ParamsObject(ParamMember[]? members, int count, KeptMeta? meta)
    {
        var obj = new JObject();
        for (var i = 0; i < count; i++) obj.Add(new JProperty(members![i].Name, members[i].Token(meta)));
        return obj;
    }

    /// <summary>
    /// An envelope member that should be a string or a number, kept as its type and value: no token for the three every
    /// message has. An object or array is only ever wrong here, so it keeps no value, just its type.
    /// </summary>
    private readonly struct Scalar
    {
        private readonly object? _value;
        // An integer that fits in 64 bits, kept unboxed (an Integer with no boxed value): every request id is one, and a
        // box of it was one more object per message (issue 29). Boxed only when somebody reads Value.
        private readonly long _integer;

        public Scalar(JTokenType type, object? value)
        {
            Type = type;
            _value = value;
        }

        public Scalar(long integer)
        {
            Type = JTokenType.Integer;
            _integer = integer;
        }

        public JTokenType Type { get; }

        // Every other Integer (from a token, or past 64 bits) holds its boxed value.
        private bool IsUnboxedInteger => Type == JTokenType.Integer && _value is null;

        /// <summary>The value as Json.NET types it (an integer as a boxed <see cref="long"/>, as a loaded token holds it).</summary>
        public object? Value => IsUnboxedInteger ? _integer : _value;

        /// <summary>The request id this value is, by <see cref="RequestId.TryFrom(JTokenType, object?, out RequestId)"/>'s rule, without boxing an integer.</summary>
        public bool TryRequestId(out RequestId id)
        {
            if (!IsUnboxedInteger) return RequestId.TryFrom(Type, _value, out id);
            id = new RequestId(_integer);
            return true;
        }

        public static Scalar Of(JToken? token) => token switch
        {
            null => default,
            JValue value => new(value.Type, value.Value),
            _ => new(token.Type, null),
        };

        /// <summary>The value the reader is on, typed as loading it would type it (<see cref="JValue"/>'s own rules).</summary>
        public static Scalar Read(JsonReader reader)
        {
            switch (reader.TokenType)
            {
                case JsonToken.StartObject or JsonToken.StartArray or JsonToken.StartConstructor:
                    return Of(JToken.ReadFrom(reader, McpJson.LoadSettings));
                case JsonToken.Null:
                    return new(JTokenType.Null, null);
                case JsonToken.Undefined:
                    return new(JTokenType.Undefined, null);
                case JsonToken.String:
                    return new(JTokenType.String, reader.Value);
                case JsonToken.Integer: // a long, or a BigInteger past 64 bits
                    return new(JTokenType.Integer, reader.Value);
                case JsonToken.Float:
                    return new(JTokenType.Float, reader.Value);
                case JsonToken.Boolean:
                    return new(JTokenType.Boolean, reader.Value);
                default:
                    return Of(new JValue(reader.Value)); // what a text reader does not give (dates are left strings)
            }
        }
    }

    /// <summary>A params member as read: its token, or (Value null) the arguments kept as bytes, or else the kept <c>_meta</c>.</summary>
    private readonly record struct ParamMember(string Name, JToken? Value, KeptArguments? Kept)
    {
        public JToken Token(KeptMeta? meta) => Value ?? Kept?.Object ?? meta!.Object;
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
}
