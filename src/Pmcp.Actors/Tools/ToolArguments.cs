using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using Newtonsoft.Json.Linq;
using Pmcp.Protocol;

namespace Pmcp.Actors.Tools;

/// <summary>
/// A <c>tools/call</c>'s arguments object, for a handler made with <see cref="McpToolDefinition.ForArguments"/>: read
/// straight from the UTF-8 JSON the client sent (<see cref="TryGetString"/>, <see cref="Deserialize{T}"/>,
/// <see cref="Utf8"/>), or as a Json.NET object (<see cref="ToJObject"/>), which is made only when asked for.
/// </summary>
/// <remarks>
/// A Json.NET object of even one member is a handful of objects and a dictionary; a tool that reads a string or two
/// from its arguments need not pay for them (issue 29). Arguments that arrived some other way (through a cluster's
/// router, from a task's store, from a client whose JSON took the Json.NET route) are held as the object they are.
/// </remarks>
public sealed class ToolArguments
{
    private static readonly JsonSerializerOptions DefaultOptions = new(JsonSerializerDefaults.Web);
    private static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Skip, MaxDepth = McpJson.MaxDepth };

    private readonly JsonRpcMessage.KeptArguments? _kept;
    private JObject? _object;

    internal ToolArguments(JObject arguments) => _object = arguments;

    internal ToolArguments(JsonRpcMessage.KeptArguments arguments) => _kept = arguments;

    /// <summary>Arguments that are the JSON object <paramref name="json"/> (for tests and hosts that call a handler themselves).</summary>
    public static ToolArguments Parse(string json) =>
        McpJson.Parse(json) is JObject obj ? new ToolArguments(obj) : throw new ArgumentException("Tool arguments must be a JSON object.", nameof(json));

    /// <summary>
    /// The object as UTF-8 JSON: the client's own bytes when they were kept, else the object written out as it is now (a
    /// change to it is seen). Comments a client put in are still there; <see cref="Deserialize{T}"/> skips them.
    /// </summary>
    public ReadOnlyMemory<byte> Utf8 => BytesAreCurrent ? _kept!.Utf8 : Encoding.UTF8.GetBytes(McpJson.ToText(ToJObject()));

    // The client's bytes are what the arguments are until somebody has the object, which they may have changed.
    private bool BytesAreCurrent => _kept is { HasObject: false };

    /// <summary>
    /// The object as Json.NET tokens, made on first use; the same instance every time, so a change to it is seen by
    /// later calls (and then <see cref="Utf8"/> is that object written out).
    /// </summary>
    public JObject ToJObject() => _object ??= _kept!.Object;

    /// <summary>
    /// The string member <paramref name="name"/> (the last one, when the client sent it twice, as a Json.NET object keeps
    /// it); false when it is absent or not a string. Reads the bytes without making the object.
    /// </summary>
    public bool TryGetString(string name, [NotNullWhen(true)] out string? value)
    {
        value = null;
        if (!BytesAreCurrent)
        {
            if (ToJObject()[name] is not { Type: JTokenType.String } token) return false;
            value = (string)token!;
            return true;
        }

        var found = false;
        var reader = new Utf8JsonReader(_kept!.Utf8.Span, ReaderOptions);
        reader.Read(); // the object's start
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var match = reader.ValueTextEquals(name);
            reader.Read();
            if (match)
            {
                found = reader.TokenType == JsonTokenType.String;
                value = found ? reader.GetString() : null;
            }
            reader.Skip();
        }
        return found;
    }

    /// <summary>
    /// The object read as a <typeparamref name="T"/> by System.Text.Json: with <paramref name="options"/>, or else the web
    /// defaults (camelCase names, matched without regard to case) with comments skipped.
    /// </summary>
    public T? Deserialize<T>(JsonSerializerOptions? options = null)
    {
        if (options is null)
        {
            var reader = new Utf8JsonReader(Utf8.Span, ReaderOptions);
            return JsonSerializer.Deserialize<T>(ref reader, DefaultOptions);
        }
        return JsonSerializer.Deserialize<T>(Utf8.Span, options);
    }

    /// <summary>The object as JSON text (the text of the object itself once somebody has it: no round trip through UTF-8).</summary>
    public override string ToString() => BytesAreCurrent ? Encoding.UTF8.GetString(_kept!.Utf8.Span) : McpJson.ToText(ToJObject());
}
