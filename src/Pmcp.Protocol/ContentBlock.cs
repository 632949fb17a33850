using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Pmcp.Protocol;

/// <summary>One block of a tool result's content; <see cref="Type"/> tells which kind.</summary>
[JsonConverter(typeof(ContentBlockConverter))]
public abstract record ContentBlock
{
    public abstract string Type { get; }

    /// <summary>The block as the wire has it: <c>type</c> first, then the members of its kind; an unknown kind as it came.</summary>
    internal void WriteTo(JsonWriter writer)
    {
        if (this is UnknownContent unknown)
        {
            unknown.Raw.WriteTo(writer);
            return;
        }

        writer.WriteStartObject();
        writer.WritePropertyName("type", escape: false);
        writer.WriteValue(Type);
        switch (this)
        {
            case TextContent t:
                Write(writer, "text", t.Text);
                break;
            case ImageContent i:
                Write(writer, "data", i.Data);
                Write(writer, "mimeType", i.MimeType);
                break;
            case AudioContent a:
                Write(writer, "data", a.Data);
                Write(writer, "mimeType", a.MimeType);
                break;
            case ResourceLink l:
                Write(writer, "uri", l.Uri);
                Write(writer, "name", l.Name);
                if (l.MimeType is not null) Write(writer, "mimeType", l.MimeType);
                break;
            case EmbeddedResource r:
                writer.WritePropertyName("resource", escape: false);
                r.Resource.WriteTo(writer);
                break;
        }
        writer.WriteEndObject();
    }

    // Every name here is one of the protocol's ASCII member names: nothing to escape, so the writer does not scan it.
    private static void Write(JsonWriter writer, string name, string value)
    {
        writer.WritePropertyName(name, escape: false);
        writer.WriteValue(value);
    }
}

public sealed record TextContent([property: JsonProperty("text")] string Text) : ContentBlock
{
    public override string Type => "text";
}

public sealed record ImageContent(
    [property: JsonProperty("data")] string Data,
    [property: JsonProperty("mimeType")] string MimeType) : ContentBlock
{
    public override string Type => "image";
}

public sealed record AudioContent(
    [property: JsonProperty("data")] string Data,
    [property: JsonProperty("mimeType")] string MimeType) : ContentBlock
{
    public override string Type => "audio";
}

/// <summary>A link to a resource the client may read.</summary>
public sealed record ResourceLink(
    [property: JsonProperty("uri")] string Uri,
    [property: JsonProperty("name")] string Name) : ContentBlock
{
    public override string Type => "resource_link";

    [JsonProperty("mimeType", NullValueHandling = NullValueHandling.Ignore)]
    public string? MimeType { get; init; }
}

/// <summary>A resource carried inline: <c>resource</c> holds uri, mimeType and text or blob.</summary>
public sealed record EmbeddedResource([property: JsonProperty("resource")] JObject Resource) : ContentBlock
{
    public override string Type => "resource";
}

/// <summary>A block of a kind this version does not model; kept as it came.</summary>
public sealed record UnknownContent(JObject Raw) : ContentBlock
{
    public override string Type => (string?)Raw["type"] ?? "";
}

internal sealed class ContentBlockConverter : JsonConverter
{
    public override bool CanConvert(Type objectType) => typeof(ContentBlock).IsAssignableFrom(objectType);

    public override void WriteJson(JsonWriter writer, object? value, JsonSerializer serializer)
    {
        if (value is null) writer.WriteNull();
        else ((ContentBlock)value).WriteTo(writer);
    }

    public override object? ReadJson(JsonReader reader, Type objectType, object? existingValue, JsonSerializer serializer)
    {
        if (reader.TokenType == JsonToken.Null) return null;
        var obj = JObject.Load(reader);
        return (string?)obj["type"] switch
        {
            "text" => new TextContent((string?)obj["text"] ?? ""),
            "image" => new ImageContent((string?)obj["data"] ?? "", (string?)obj["mimeType"] ?? ""),
            "audio" => new AudioContent((string?)obj["data"] ?? "", (string?)obj["mimeType"] ?? ""),
            "resource_link" => new ResourceLink((string?)obj["uri"] ?? "", (string?)obj["name"] ?? "") { MimeType = (string?)obj["mimeType"] },
            "resource" => new EmbeddedResource(obj["resource"] as JObject ?? []),
            _ => new UnknownContent(obj),
        };
    }
}
