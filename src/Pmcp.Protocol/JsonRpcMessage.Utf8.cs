using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Newtonsoft.Json.Linq;

namespace Pmcp.Protocol;

/// <summary>
/// The fast route for reading an envelope: the framework's UTF-8 reader (<see cref="Utf8JsonReader"/>) in place of
/// Json.NET's text reader, which took about three quarters of a call's parse on the hot path. It makes the same
/// <see cref="Members"/>, with the same Json.NET tokens for the values, as <see cref="TryReadMembers(string, out Members)"/>. It takes only
/// text that is strict JSON (RFC 8259 plus comments) and whose values Json.NET would read the same way; for anything else
/// it answers false and the message goes the Json.NET route as before, so every verdict (and every parse error's text)
/// stays Json.NET's.
/// </summary>
internal sealed partial class JsonRpcMessage
{
    private static readonly JsonReaderOptions Utf8Options = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        MaxDepth = McpJson.MaxDepth,
    };

    // Up to this many bytes the text's UTF-8 goes on the stack; longer messages rent a buffer.
    private const int StackBytes = 1024;

    // Text with a lone surrogate has no UTF-8 form; Json.NET keeps the surrogate, so such text goes its route.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // The version, method names and params member names every message repeats, kept as one string each instead of one per message.
    private static readonly KnownStrings KnownMethods = new(
        McpMethods.ToolsCall, McpMethods.Ping, McpMethods.Initialize, McpMethods.Initialized, McpMethods.ToolsList,
        McpMethods.Cancelled, McpMethods.Progress, McpMethods.ResourcesRead, McpMethods.ResourcesList, McpMethods.PromptsGet,
        McpMethods.PromptsList, McpMethods.CompletionComplete, McpMethods.LoggingSetLevel);

    private static readonly KnownStrings KnownVersions = new("2.0");

    private static readonly KnownStrings KnownParamNames = new("name", "arguments", "_meta", "requestId", "uri", "cursor", "reason");

    // Member names of the objects inside params that requests repeat: every 2026-07-28 request's _meta names its version,
    // client capabilities and client info with these long keys (issue 29: a 2026 request made about 0.4 KB of them), and
    // the echo call's arguments, progress tokens and client info their short ones. A name not here is read as before.
    private static readonly KnownStrings KnownMemberNames = new(
        "io.modelcontextprotocol/protocolVersion", "io.modelcontextprotocol/clientCapabilities", "io.modelcontextprotocol/clientInfo",
        "io.modelcontextprotocol/logLevel", "name", "version", "text", "progressToken", "sampling", "elicitation", "roots");

    /// <summary>Whether the UTF-8 route reads <paramref name="text"/> itself (for tests: the other route gives the same verdicts).</summary>
    internal static bool ReadsStrictly(string text) => TryReadMembersUtf8(text, out _);

    /// <summary>Reads the envelope with the UTF-8 reader; false when the text must take the Json.NET route instead.</summary>
    private static bool TryReadMembersUtf8(string text, out Members members)
    {
        members = default;
        var max = StrictUtf8.GetMaxByteCount(text.Length);
        byte[]? rented = null;
        Span<byte> buffer = max <= StackBytes ? stackalloc byte[max] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            var length = StrictUtf8.GetBytes(text, buffer);
            var reader = new Utf8JsonReader(buffer[..length], Utf8Options);
            // An ASCII text (one byte a character) has its _meta kept as a place in it; any other, as a copy of its bytes (JsonRpcMessage.Meta.cs).
            return TryReadMembers(ref reader, ref members, buffer[..length], length == text.Length ? text : null);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or EncoderFallbackException)
        {
            // Not strict JSON, not UTF-16 that has a UTF-8 form, or a value the two readers would read differently:
            // Json.NET reads it, or says why not.
            members = default;
            return false;
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Reads a message straight from its UTF-8 bytes, for a transport that has them (a WebSocket's frame): true only for
    /// strict JSON that is a valid message. Anything else (not strict JSON, not an object, a message JSON-RPC refuses)
    /// is false, and the caller hands the text to <see cref="TryParse(string, out JsonRpcMessage?, out JsonRpcError?, out RequestId?)"/>,
    /// which gives every verdict and error.
    /// </summary>
    public static bool TryParseStrict(ReadOnlySpan<byte> utf8, [NotNullWhen(true)] out JsonRpcMessage? message)
    {
        message = null;
        var members = default(Members);
        try
        {
            var reader = new Utf8JsonReader(utf8, Utf8Options);
            // No text to keep _meta as a place in: it is kept as a copy of its bytes (JsonRpcMessage.Meta.cs).
            if (!TryReadMembers(ref reader, ref members, utf8, asciiText: null)) return false;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            return false;
        }
        if (!TryFrom(members, out var parsed, out _, out _)) return false;
        message = parsed!;
        return true;
    }

    private static bool TryReadMembers(ref Utf8JsonReader reader, ref Members members, ReadOnlySpan<byte> utf8, string? asciiText)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
        var seen = 0; // the envelope members read so far, one bit each: a second one is refused (after the text is read through)
        while (true)
        {
            if (!reader.Read()) return false;
            if (reader.TokenType == JsonTokenType.EndObject) break;
            // The member's name, then its value. A repeated member's value is only read through: the first one stands.
            if (reader.ValueTextEquals("jsonrpc"u8))
            {
                reader.Read();
                if (Repeated(ref seen, EnvelopeMember.JsonRpc, ref members)) reader.Skip();
                else if (!TryScalar(ref reader, KnownVersions, out members.JsonRpc)) return false;
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                if (Repeated(ref seen, EnvelopeMember.Id, ref members)) reader.Skip();
                else if (!TryScalar(ref reader, null, out members.Id)) return false;
                else if (members.Id.Type is JTokenType.Float && reader.ValueSpan.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0)
                    members.IdText = Encoding.UTF8.GetString(reader.ValueSpan); // an integer past Json.NET's limit: named as written
            }
            else if (reader.ValueTextEquals("method"u8))
            {
                reader.Read();
                if (Repeated(ref seen, EnvelopeMember.Method, ref members)) reader.Skip();
                else if (!TryScalar(ref reader, KnownMethods, out members.Method)) return false;
            }
            else if (reader.ValueTextEquals("params"u8))
            {
                reader.Read();
                if (Repeated(ref seen, EnvelopeMember.Params, ref members))
                {
                    reader.Skip();
                }
                else if (reader.TokenType == JsonTokenType.StartObject)
                {
                    members.ParamsRead = true;
                    members.Params = null;
                    if (!TryReadParams(ref reader, ref members, utf8, asciiText)) return false;
                }
                else
                {
                    (members.ParamsRead, members.ParamMembers, members.ParamCount, members.Meta, members.Arguments) = (false, null, 0, null, null);
                    if ((members.Params = Token(ref reader)) is null) return false;
                }
            }
            else if (reader.ValueTextEquals("result"u8))
            {
                reader.Read();
                if (Repeated(ref seen, EnvelopeMember.Result, ref members)) reader.Skip();
                else if ((members.Result = Token(ref reader)) is null) return false;
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                reader.Read();
                if (Repeated(ref seen, EnvelopeMember.Error, ref members)) reader.Skip();
                else if ((members.Error = Token(ref reader)) is null) return false;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        // Nothing but whitespace and comments may follow; trailing text goes the Json.NET route for its error.
        return !reader.Read();
    }

    /// <summary>
    /// The members of the params object the reader is on; a repeated member is noted in <see cref="Members.Repeated"/>.
    /// An object <c>_meta</c> is kept as its place in an ASCII text, or as a copy of its bytes (<see cref="Members.Meta"/>,
    /// its member's value null), rather than read into tokens.
    /// </summary>
    private static bool TryReadParams(ref Utf8JsonReader reader, ref Members read, ReadOnlySpan<byte> utf8, string? asciiText)
    {
        ParamMember[]? members = null;
        var count = 0;
        while (true)
        {
            if (!reader.Read()) return false;
            if (reader.TokenType == JsonTokenType.EndObject) break;
            var name = KnownParamNames.Match(ref reader) ?? reader.GetString()!;
            reader.Read();
            if (read.Meta is null && reader.TokenType == JsonTokenType.StartObject && name == MetaName
                && TryKeepMeta(ref reader, utf8, asciiText, out var kept))
            {
                read.Meta = kept;
                if (!AddParam(ref members, ref count, name, null)) read.Repeated ??= "params." + name;
                continue;
            }
            if (read.Arguments is null && reader.TokenType == JsonTokenType.StartObject && name == ArgumentsName
                && TryKeepArguments(ref reader, utf8, out var arguments))
            {
                read.Arguments = arguments;
                if (!AddParam(ref members, ref count, name, null, arguments)) read.Repeated ??= "params." + name;
                continue;
            }
            if (Token(ref reader) is not { } value) return false;
            if (!AddParam(ref members, ref count, name, value)) read.Repeated ??= "params." + name;
        }
        (read.ParamMembers, read.ParamCount) = (members, count);
        return true;
    }

    /// <summary>An envelope member that should be a string or a number, typed as Json.NET types it; false when Json.NET must read it.</summary>
    private static bool TryScalar(ref Utf8JsonReader reader, KnownStrings? known, out Scalar scalar)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                scalar = new(JTokenType.String, known?.Match(ref reader) ?? reader.GetString());
                return true;
            case JsonTokenType.StartObject or JsonTokenType.StartArray:
                var token = Token(ref reader);
                scalar = token is null ? default : Scalar.Of(token);
                return token is not null;
            default:
                return TryPrimitive(ref reader, out scalar);
        }
    }

    /// <summary>
    /// Strings with their UTF-8 form, so that the reader compares bytes with bytes: its <c>char</c> overload transcodes the
    /// candidate on every comparison.
    /// </summary>
    private sealed class KnownStrings(params string[] values)
    {
        private readonly byte[][] _utf8 = Array.ConvertAll(values, Encoding.UTF8.GetBytes);

        /// <summary>The string the reader is on when it is one of these, without making a new one.</summary>
        public string? Match(ref Utf8JsonReader reader)
        {
            for (var i = 0; i < _utf8.Length; i++)
            {
                if (reader.ValueTextEquals(_utf8[i])) return values[i];
            }
            return null;
        }
    }

    /// <summary>
    /// The value the reader is on as the token Json.NET would load (numbers as <see cref="TryPrimitive"/> reads them,
    /// dates left as strings, a repeated member replacing the earlier one). Null for a value the two readers would not
    /// read the same.
    /// </summary>
    private static JToken? Token(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var obj = new JObject();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var name = KnownMemberNames.Match(ref reader) ?? reader.GetString()!;
                    reader.Read();
                    if (Token(ref reader) is not { } member) return null;
                    obj[name] = member;
                }
                return obj;
            case JsonTokenType.StartArray:
                var array = new JArray();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (Token(ref reader) is not { } item) return null;
                    array.Add(item);
                }
                return array;
            default:
                if (!TryPrimitive(ref reader, out var primitive)) return null;
                return primitive.Type == JTokenType.Null ? JValue.CreateNull() : new JValue(primitive.Value);
        }
    }

    /// <summary>
    /// A string, number, boolean or null, typed as Json.NET types it: integers as <see cref="long"/>, past 64 bits as
    /// <see cref="BigInteger"/>, other numbers as <see cref="double"/>. An integer of more than
    /// <see cref="MaxBigIntegerDigits"/> digits, which Json.NET refuses as "too large to parse" though it is valid JSON,
    /// is read as the double it rounds to (infinity, as Json.NET reads <c>1e400</c>): parsing it as a BigInteger would
    /// cost time quadratic in its length. A number with a fraction or exponent past a double's range is infinity, as
    /// Json.NET reads it. False for a container.
    /// </summary>
    private static bool TryPrimitive(ref Utf8JsonReader reader, out Scalar scalar)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                scalar = new(JTokenType.String, reader.GetString());
                return true;
            case JsonTokenType.Number:
                // Json.NET's rule: a number with a fraction or an exponent is a float, any other an integer.
                if (reader.ValueSpan.IndexOfAny((byte)'.', (byte)'e', (byte)'E') >= 0)
                {
                    // Past a double's range the reader gives up; the double it rounds to (infinity) is what Json.NET reads.
                    scalar = new(JTokenType.Float, reader.TryGetDouble(out var real) && double.IsFinite(real) ? real : RoundedDouble(reader.ValueSpan));
                    return true;
                }
                else if (reader.TryGetInt64(out var integer))
                {
                    scalar = new(integer);
                    return true;
                }
                else
                {
                    scalar = LargeInteger(reader.ValueSpan);
                    return true;
                }
            case JsonTokenType.True or JsonTokenType.False:
                scalar = new(JTokenType.Boolean, reader.TokenType == JsonTokenType.True);
                return true;
            case JsonTokenType.Null:
                scalar = new(JTokenType.Null, null);
                return true;
        }
        scalar = default;
        return false;
    }

    /// <summary>Json.NET reads integers of up to this many digits as a BigInteger, and refuses longer ones.</summary>
    private const int MaxBigIntegerDigits = 380;

    /// <summary>An integer that does not fit in 64 bits: a BigInteger as Json.NET reads it, or past its limit the double it rounds to.</summary>
    private static Scalar LargeInteger(ReadOnlySpan<byte> digits)
    {
        var length = digits[0] == '-' ? digits.Length - 1 : digits.Length;
        if (length > MaxBigIntegerDigits) return new(JTokenType.Float, RoundedDouble(digits));
        Span<char> text = stackalloc char[digits.Length];
        for (var i = 0; i < digits.Length; i++) text[i] = (char)digits[i]; // a JSON number is ASCII
        return new(JTokenType.Integer, BigInteger.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture));
    }

    /// <summary>A JSON number as the nearest double, infinity past the range (as .NET and Json.NET round it).</summary>
    private static double RoundedDouble(ReadOnlySpan<byte> number) =>
        double.Parse(number, NumberStyles.Float, CultureInfo.InvariantCulture);
}
