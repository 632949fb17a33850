using System.Buffers;
using System.Text.Json;
using Newtonsoft.Json.Linq;

namespace Pmcp.Protocol;

/// <summary>
/// A <c>tools/call</c>'s <c>params.arguments</c> without its tokens. As Json.NET tokens even a one-member object cost a
/// JObject, its list, its dictionary and a property and a value: over a third of what a WebSocket call allocated
/// (issue 29), for a tool that mostly reads one or two strings. So the UTF-8 route keeps an object <c>arguments</c> as a
/// copy of its UTF-8 bytes (<see cref="KeptArguments"/>), and makes its tokens only when asked: by <see cref="Param"/>
/// and <see cref="Params"/> (the same tokens the eager read made), or by a tool that takes a JObject. The Json.NET route
/// keeps reading it into tokens as before.
/// </summary>
internal sealed partial class JsonRpcMessage
{
    private const string ArgumentsName = "arguments";

    /// <summary><c>params.arguments</c> kept as its UTF-8 bytes, or null: absent, not an object, or read into tokens.</summary>
    public KeptArguments? Arguments => _params is null ? _keptArguments : null;

    private readonly KeptArguments? _keptArguments;

    /// <summary>An object's UTF-8, as the client sent it, and its tokens made once when first asked for.</summary>
    internal sealed class KeptArguments(byte[] utf8)
    {
        private JObject? _object;

        public ReadOnlyMemory<byte> Utf8 { get; } = utf8;

        /// <summary>The object as the eager read made it; the same instance every time.</summary>
        public JObject Object => _object ??= (JObject)ReadValue(Utf8.Span);

        /// <summary>Whether <see cref="Object"/> has been made: someone holds the tokens, which the bytes may no longer describe.</summary>
        public bool HasObject => _object is not null;
    }

    /// <summary>
    /// Copies the object the reader is on and moves past it; false, with the reader back on the object, for one the
    /// eager read would refuse (a string that escapes a lone surrogate, which only Json.NET reads).
    /// </summary>
    private static bool TryKeepArguments(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8, out KeptArguments? kept)
    {
        kept = null;
        var checkpoint = reader;
        var start = (int)reader.TokenStartIndex;
        if (!SkipChecked(ref reader, escapesAllowed: true))
        {
            reader = checkpoint;
            return false;
        }
        kept = new KeptArguments(utf8[start..(int)reader.BytesConsumed].ToArray());
        return true;
    }

    /// <summary>Whether the escaped string the reader is on unescapes to text (the reader refuses a lone surrogate).</summary>
    private static bool Unescapes(ref Utf8JsonReader reader)
    {
        var length = reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;
        char[]? rented = null;
        var buffer = length <= StackBytes / sizeof(char) ? stackalloc char[length] : (rented = ArrayPool<char>.Shared.Rent(length));
        try
        {
            reader.CopyString(buffer);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
        finally
        {
            if (rented is not null) ArrayPool<char>.Shared.Return(rented);
        }
    }
}
