using Newtonsoft.Json;

namespace Pmcp.Client;

/// <summary>What <c>completion/complete</c> completes an argument of: a prompt (<c>ref/prompt</c>) or a resource template (<c>ref/resource</c>).</summary>
public sealed record CompletionReference
{
    private CompletionReference(string type, string? name, string? uri)
    {
        Type = type;
        Name = name;
        Uri = uri;
    }

    [JsonProperty("type")]
    public string Type { get; }

    [JsonProperty("name", NullValueHandling = NullValueHandling.Ignore)]
    public string? Name { get; }

    [JsonProperty("uri", NullValueHandling = NullValueHandling.Ignore)]
    public string? Uri { get; }

    /// <summary>An argument of the prompt named <paramref name="name"/>.</summary>
    public static CompletionReference ForPrompt(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new("ref/prompt", name, null);
    }

    /// <summary>A variable of the resource template <paramref name="uriTemplate"/>.</summary>
    public static CompletionReference ForResource(string uriTemplate)
    {
        ArgumentException.ThrowIfNullOrEmpty(uriTemplate);
        return new("ref/resource", null, uriTemplate);
    }
}
