using System.Buffers;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Newtonsoft.Json.Serialization;

namespace Pmcp.Protocol;

/// <summary>The one set of JSON settings for the wire: camelCase members, nulls left out, no date guessing.</summary>
public static class McpJson
{
    /// <summary>Deeper documents than this are refused as parse errors (-32700).</summary>
    public const int MaxDepth = 64;

    public static JsonSerializerSettings Settings { get; } = new()
    {
        ContractResolver = new DefaultContractResolver
        {
            NamingStrategy = new CamelCaseNamingStrategy { ProcessDictionaryKeys = false, OverrideSpecifiedNames = false },
        },
        NullValueHandling = NullValueHandling.Ignore,
        DateParseHandling = DateParseHandling.None,
        MaxDepth = MaxDepth,
    };

    public static JsonSerializer Serializer { get; } = JsonSerializer.Create(Settings);

    /// <summary>
    /// Compact JSON with <see cref="Settings"/>. Uses the one cached <see cref="Serializer"/> (JsonConvert.SerializeObject
    /// would build a serializer from the settings on every call), pooled writer buffers and this thread's text buffer.
    /// A tool's result, the answer to every call, skips the serializer and writes itself (the same text).
    /// </summary>
    public static string Serialize(object value) => WriteText(value, static (writer, v) => WriteValue(writer, v));

    /// <summary>Writes <paramref name="value"/> with <see cref="Serializer"/>, or a tool's result through its own writer (the same text).</summary>
    internal static void WriteValue(JsonWriter writer, object value)
    {
        if (value is CallToolResult result) result.WriteTo(writer);
        else Serializer.Serialize(writer, value);
    }

    [ThreadStatic] private static TextWriterPair? t_text;

    /// <summary>
    /// Runs <paramref name="write"/> on a compact writer and returns the text. The writer and its text buffer are this
    /// thread's, kept between calls (a nested call, from a converter, gets its own; a write that throws drops them): on
    /// the hot path they were five objects and two arrays per message. The buffer is rented (<see cref="PooledTextWriter"/>),
    /// so a large text costs one large allocation, its string, not two.
    /// </summary>
    internal static string WriteText<TState>(TState state, Action<JsonWriter, TState> write)
    {
        var pair = t_text ?? new TextWriterPair();
        t_text = null;
        // Only what a write may change and leave changed (ToText's float handling); the serializer restores what it sets.
        pair.Json.FloatFormatHandling = FloatFormatHandling.String;
        write(pair.Json, state);
        if (pair.Json.WriteState != WriteState.Start)
            throw new JsonWriterException("The value was left incomplete."); // every caller writes one whole value
        var text = pair.Text.ToString();
        pair.Text.Clear(keepChars: MaxKeptTextChars);
        t_text = pair;
        return text;
    }

    /// <summary>A compact JSON writer over its own text buffer; it writes one value after another with nothing between.</summary>
    private sealed class TextWriterPair
    {
        public readonly PooledTextWriter Text = new();
        public readonly JsonTextWriter Json;

        public TextWriterPair() => Json = new JsonTextWriter(Text) { Formatting = Formatting.None, ArrayPool = CharPool.Instance, CloseOutput = false };
    }

    // A thread keeps its text buffer only while it stays this small; one large result does not pin a large buffer.
    private const int MaxKeptTextChars = 16 * 1024;

    public static JToken ToToken(object value) => JToken.FromObject(value, Serializer);

    public static T ToObject<T>(JToken token) => token.ToObject<T>(Serializer)
        ?? throw new JsonSerializationException($"Expected {typeof(T).Name}, found null.");

    /// <summary>
    /// Writes a parsed token back as compact text that <see cref="Parse"/> reads as the same token. Unlike
    /// <c>ToString()</c>, a number too large for a double (<c>1e400</c>, read as infinity) stays a number
    /// (<c>Infinity</c>) instead of becoming the string <c>"Infinity"</c>.
    /// </summary>
    public static string ToText(JToken token) => WriteText(token, static (writer, t) =>
    {
        writer.FloatFormatHandling = FloatFormatHandling.Symbol;
        t.WriteTo(writer);
    });

    /// <summary>
    /// Parses one complete JSON text. Dates stay strings, documents deeper than <see cref="MaxDepth"/> and trailing
    /// content are refused with <see cref="JsonReaderException"/>.
    /// </summary>
    // No line numbers on every token: nothing reads them, and they were an object per token parsed.
    internal static readonly JsonLoadSettings LoadSettings = new() { LineInfoHandling = LineInfoHandling.Ignore };

    public static JToken Parse(string json)
    {
        using var reader = NewReader(json);
        var token = JToken.ReadFrom(reader, LoadSettings);
        ReadToEnd(reader);
        return token;
    }

    /// <summary>A reader with the settings of <see cref="Parse"/>, for code that reads a document part by part.</summary>
    internal static JsonTextReader NewReader(string json) => new(new StringReader(json))
    {
        DateParseHandling = DateParseHandling.None,
        FloatParseHandling = FloatParseHandling.Double,
        MaxDepth = MaxDepth,
        ArrayPool = CharPool.Instance, // the reader's char buffer is rented, and returned when it is closed
        PropertyNameTable = ProtocolNames.Instance,
    };

    /// <summary>Refuses anything but comments after the value just read.</summary>
    internal static void ReadToEnd(JsonReader reader)
    {
        while (reader.Read())
        {
            if (reader.TokenType != JsonToken.Comment)
                throw new JsonReaderException("Additional text found after the JSON value.");
        }
    }

    /// <summary>
    /// The protocol's member names, read by every parser without a new string for each message. Filled once, then only
    /// read, so one instance serves every thread.
    /// </summary>
    private sealed class ProtocolNames : JsonNameTable
    {
        public static readonly ProtocolNames Instance = new();

        private readonly DefaultJsonNameTable _names = new();

        private ProtocolNames()
        {
            string[] names =
            [
                "jsonrpc", "id", "method", "params", "result", "error", "code", "message", "data",
                "name", "arguments", "_meta", "progressToken", "progress", "total", "requestId", "reason",
                "uri", "cursor", "text", "type", "content", "isError", "level", "ref", "argument", "value",
                "protocolVersion", "capabilities", "clientInfo", "version", "roots", "sampling", "elicitation",
            ];
            foreach (var name in names) _names.Add(name);
        }

        public override string? Get(char[] key, int start, int length) => _names.Get(key, start, length);
    }

    /// <summary>Newtonsoft's reader and writer buffers from <see cref="ArrayPool{T}.Shared"/> instead of a new array each time.</summary>
    private sealed class CharPool : IArrayPool<char>
    {
        public static readonly CharPool Instance = new();

        public char[] Rent(int minimumLength) => ArrayPool<char>.Shared.Rent(minimumLength);

        public void Return(char[]? array)
        {
            if (array is not null) ArrayPool<char>.Shared.Return(array);
        }
    }
}
