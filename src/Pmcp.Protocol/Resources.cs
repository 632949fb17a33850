using Newtonsoft.Json;

namespace Pmcp.Protocol;

/// <summary>A resource as <c>resources/list</c> shows it.</summary>
public sealed record Resource(
    [property: JsonProperty("uri")] string Uri,
    [property: JsonProperty("name")] string Name)
{
    [JsonProperty("title", NullValueHandling = NullValueHandling.Ignore)]
    public string? Title { get; init; }

    [JsonProperty("description", NullValueHandling = NullValueHandling.Ignore)]
    public string? Description { get; init; }

    [JsonProperty("mimeType", NullValueHandling = NullValueHandling.Ignore)]
    public string? MimeType { get; init; }

    [JsonProperty("size", NullValueHandling = NullValueHandling.Ignore)]
    public long? Size { get; init; }
}

/// <summary>A family of resources named by an RFC 6570 URI template.</summary>
public sealed record ResourceTemplate(
    [property: JsonProperty("uriTemplate")] string UriTemplate,
    [property: JsonProperty("name")] string Name)
{
    [JsonProperty("title", NullValueHandling = NullValueHandling.Ignore)]
    public string? Title { get; init; }

    [JsonProperty("description", NullValueHandling = NullValueHandling.Ignore)]
    public string? Description { get; init; }

    [JsonProperty("mimeType", NullValueHandling = NullValueHandling.Ignore)]
    public string? MimeType { get; init; }
}

public sealed record ListResourcesResult([property: JsonProperty("resources")] IReadOnlyList<Resource> Resources)
{
    [JsonProperty("nextCursor", NullValueHandling = NullValueHandling.Ignore)]
    public string? NextCursor { get; init; }
}

public sealed record ListResourceTemplatesResult([property: JsonProperty("resourceTemplates")] IReadOnlyList<ResourceTemplate> ResourceTemplates)
{
    [JsonProperty("nextCursor", NullValueHandling = NullValueHandling.Ignore)]
    public string? NextCursor { get; init; }
}

/// <summary>The contents of a resource: <see cref="Text"/> or base64 <see cref="Blob"/>.</summary>
public sealed record ResourceContents([property: JsonProperty("uri")] string Uri)
{
    [JsonProperty("mimeType", NullValueHandling = NullValueHandling.Ignore)]
    public string? MimeType { get; init; }

    [JsonProperty("text", NullValueHandling = NullValueHandling.Ignore)]
    public string? Text { get; init; }

    [JsonProperty("blob", NullValueHandling = NullValueHandling.Ignore)]
    public string? Blob { get; init; }

    public static ResourceContents FromText(string uri, string text, string? mimeType = "text/plain") => new(uri) { Text = text, MimeType = mimeType };

    public static ResourceContents FromBytes(string uri, ReadOnlySpan<byte> bytes, string mimeType) => new(uri) { Blob = Convert.ToBase64String(bytes), MimeType = mimeType };
}

public sealed record ReadResourceResult([property: JsonProperty("contents")] IReadOnlyList<ResourceContents> Contents);
