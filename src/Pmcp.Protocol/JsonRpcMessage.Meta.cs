using System.Buffers;
using System.Text;
using System.Text.Json;
using Newtonsoft.Json.Linq;

namespace Pmcp.Protocol;

/// <summary>
/// <c>params._meta</c> without its tokens. Every 2026-07-28 request carries a <c>_meta</c> object (its protocol version,
/// client capabilities and client info), and as Json.NET tokens it cost three objects with a dictionary each, about
/// 1.5 KB a request, only for the server to read a few of its members once (issue 29). So the UTF-8 route keeps an
/// object <c>_meta</c> as its place in the message's text (an ASCII text) or as a copy of its UTF-8 bytes (any other
/// text, or a message read from its bytes), with the type and place of each of its members, and makes tokens only when
/// asked: all of them for <see cref="Param"/> and <see cref="Params"/> (the same tokens the eager read made), one
/// member's for <see cref="MetaToken"/>, none for <see cref="MetaMember"/>. Everything else (a <c>_meta</c> that is not
/// an object, an escape anywhere in <c>_meta</c>, the Json.NET route) keeps reading <c>_meta</c> into tokens as before,
/// and the same three members answer from those.
/// </summary>
internal sealed partial class JsonRpcMessage
{
    private const string MetaName = "_meta";

    // Values the 2026-07-28 _meta repeats (its version; the log levels), kept as one string each.
    private static readonly KnownStrings KnownMetaValues = new(
        McpProtocolVersions.V2026_07_28, "debug", "info", "notice", "warning", "error", "critical", "alert", "emergency");

    private readonly KeptMeta? _keptMeta;

    /// <summary>The type of <c>params._meta</c> as Json.NET would load it; None when params or <c>_meta</c> is absent.</summary>
    public JTokenType MetaType => _keptMeta is not null ? JTokenType.Object : Param(MetaName)?.Type ?? JTokenType.None;

    /// <summary>
    /// The type of member <paramref name="name"/> of <c>params._meta</c> as Json.NET would load it, and its text when it
    /// is a string; None when the member, <c>_meta</c> or params is absent, or <c>_meta</c> is not an object. Makes no tokens.
    /// </summary>
    public JTokenType MetaMember(string name, out string? text)
    {
        text = null;
        if (_keptMeta is { } kept && _params is null)
        {
            if (!kept.TryFind(name, out var found)) return JTokenType.None;
            if (found.Value.Type == JTokenType.String) text = (string?)found.Value.Value;
            return found.Value.Type;
        }
        if ((Param(MetaName) as JObject)?[name] is not { } token) return JTokenType.None;
        if (token.Type == JTokenType.String) text = (string?)token;
        return token.Type;
    }

    /// <summary>Member <paramref name="name"/> of <c>params._meta</c> as a token (null when absent, or <c>_meta</c> is not an object); only that member is made.</summary>
    public JToken? MetaToken(string name) =>
        _keptMeta is { } kept && _params is null ? kept.Member(name) : (Param(MetaName) as JObject)?[name];

    /// <summary>
    /// Reads member <paramref name="name"/> of <c>params._meta</c>, an object or array, with <paramref name="read"/> from its
    /// UTF-8 as the client sent it, making no tokens. False when there are tokens to read instead (<c>_meta</c> was read
    /// into them, or params has been loaded), or the member is absent or no container: the caller then asks
    /// <see cref="MetaToken"/>.
    /// </summary>
    public bool TryReadMetaMember<T>(string name, Utf8ValueReader<T> read, out T? value)
    {
        value = default;
        if (_keptMeta is not { } kept || _params is not null || !kept.TryFind(name, out var member)
            || member.Value.Type is not (JTokenType.Object or JTokenType.Array))
            return false;
        value = kept.Read(member.Start, member.End, read);
        return true;
    }

    /// <summary>One member of a kept <c>_meta</c>: its name, its value when that is not a container, and where its value is in the text.</summary>
    private readonly record struct KeptMember(string Name, Scalar Value, int Start, int End);

    /// <summary>Room on the stack for the members of a <c>_meta</c> being read; one with more moves to an array.</summary>
    [System.Runtime.CompilerServices.InlineArray(8)]
    private struct KeptMemberBuffer
    {
        private KeptMember _first;
    }

    /// <summary>
    /// A <c>_meta</c> object kept as its place in an ASCII text (so a byte of its UTF-8 is a character of the text), or in a
    /// copy of its own UTF-8 bytes (<paramref name="utf8"/>, the places then counted from the copy's start).
    /// </summary>
    private sealed class KeptMeta(string? text, byte[]? utf8, int start, int end, KeptMember[] members)
    {
        private JObject? _object;

        /// <summary>The whole object, made once, as the eager read made it.</summary>
        public JObject Object => _object ??= (JObject)Read(start, end);

        private JToken Read(int from, int to) => Read(from, to, ReadValue);

        /// <summary>What <paramref name="read"/> makes of the UTF-8 at <c>[from, to)</c>.</summary>
        public T Read<T>(int from, int to, Utf8ValueReader<T> read) =>
            utf8 is not null ? read(utf8.AsSpan(from, to - from)) : ReadAscii(text!, from, to, read);

        /// <summary>The member <paramref name="name"/>: the last one given, as a loaded object keeps it.</summary>
        public bool TryFind(string name, out KeptMember member)
        {
            for (var i = members.Length - 1; i >= 0; i--)
            {
                if (string.Equals(members[i].Name, name, StringComparison.Ordinal))
                {
                    member = members[i];
                    return true;
                }
            }
            member = default;
            return false;
        }

        public JToken? Member(string name)
        {
            if (_object is not null) return _object[name];
            if (!TryFind(name, out var member)) return null;
            return member.Value.Type switch
            {
                JTokenType.Object or JTokenType.Array => Read(member.Start, member.End),
                JTokenType.Null => JValue.CreateNull(),
                _ => new JValue(member.Value.Value),
            };
        }
    }

    /// <summary>
    /// Reads the <c>_meta</c> object the reader is on into a <see cref="KeptMeta"/> of <paramref name="asciiText"/> (ASCII, so
    /// the reader's byte offsets are its character offsets) or, without one, of a copy of its bytes in <paramref name="utf8"/>
    /// (what the reader reads); or false with the reader back on the object when it must be read into tokens instead: an
    /// escape anywhere in it (a lone surrogate escaped is left to the Json.NET route, which only the eager read can send it
    /// to), or a member value the eager read would not take.
    /// </summary>
    private static bool TryKeepMeta(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8, string? asciiText, out KeptMeta? kept)
    {
        kept = null;
        var checkpoint = reader; // the reader is a struct: a copy reads again from here
        var start = (int)reader.TokenStartIndex;
        // The members are gathered on the stack and kept in an array of their exact count: a 2026 request's _meta has
        // three to six of them, and an array grown by doubling held up to twice as many slots as members (issue 29).
        var firstMembers = new KeptMemberBuffer();
        Span<KeptMember> members = firstMembers;
        var count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            if (reader.ValueIsEscaped) return GiveBack(ref reader, checkpoint);
            var name = KnownMemberNames.Match(ref reader) ?? reader.GetString()!;
            reader.Read();
            var valueStart = (int)reader.TokenStartIndex;
            Scalar value;
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    value = new(reader.TokenType == JsonTokenType.StartObject ? JTokenType.Object : JTokenType.Array, null);
                    if (!SkipChecked(ref reader, escapesAllowed: false)) return GiveBack(ref reader, checkpoint);
                    break;
                case JsonTokenType.String:
                    if (reader.ValueIsEscaped) return GiveBack(ref reader, checkpoint);
                    value = new(JTokenType.String, KnownMetaValues.Match(ref reader) ?? reader.GetString());
                    break;
                default:
                    if (!TryPrimitive(ref reader, out value)) return GiveBack(ref reader, checkpoint);
                    break;
            }
            if (count == members.Length)
            {
                var more = new KeptMember[count * 2];
                members.CopyTo(more);
                members = more;
            }
            members[count++] = new KeptMember(name, value, valueStart, (int)reader.BytesConsumed);
        }
        var end = (int)reader.BytesConsumed;
        if (asciiText is not null)
        {
            kept = new KeptMeta(asciiText, null, start, end, members[..count].ToArray());
            return true;
        }
        // A copy of the object's bytes, its members' places counted from its start: the message outlives the buffer it was read from.
        for (var i = 0; i < count; i++) members[i] = members[i] with { Start = members[i].Start - start, End = members[i].End - start };
        kept = new KeptMeta(null, utf8[start..end].ToArray(), 0, end - start, members[..count].ToArray());
        return true;

        static bool GiveBack(ref Utf8JsonReader reader, in Utf8JsonReader checkpoint)
        {
            reader = checkpoint;
            return false;
        }
    }

    /// <summary>
    /// Moves past the object or array the reader is on; false at the first escaped string or name in it, or, with
    /// <paramref name="escapesAllowed"/>, at the first one that does not unescape to text (a lone surrogate, which only
    /// the Json.NET route reads).
    /// </summary>
    private static bool SkipChecked(ref Utf8JsonReader reader, bool escapesAllowed)
    {
        var depth = reader.CurrentDepth;
        while (reader.Read())
        {
            if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && reader.ValueIsEscaped
                && (!escapesAllowed || !Unescapes(ref reader)))
                return false;
            if (reader.CurrentDepth == depth && reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray) return true;
        }
        return false;
    }

    /// <summary>What <paramref name="read"/> makes of the UTF-8 of <c>[start, end)</c> of an ASCII text (a byte per character).</summary>
    private static T ReadAscii<T>(string text, int start, int end, Utf8ValueReader<T> read)
    {
        var length = end - start;
        byte[]? rented = null;
        Span<byte> buffer = length <= StackBytes ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            Encoding.ASCII.GetBytes(text.AsSpan(start, length), buffer);
            return read(buffer[..length]);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>A value's UTF-8 the UTF-8 route has read through once (a kept <c>_meta</c>'s, a member's): its tokens, as that read would have made them.</summary>
    private static JToken ReadValue(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, Utf8Options);
        reader.Read();
        return Token(ref reader) ?? throw new InvalidOperationException("A kept _meta no longer reads as it did.");
    }
}

/// <summary>Makes something of one JSON value, given its UTF-8 (which lives only as long as the call).</summary>
internal delegate T Utf8ValueReader<out T>(ReadOnlySpan<byte> utf8);
