namespace Pmcp.Client;

/// <summary>
/// How a <see cref="StreamableHttpTransport"/> reaches an MCP server over Streamable HTTP (<c>http://</c> or
/// <c>https://</c>): every message is a POST, answered with JSON or an SSE stream; 2025-era sessions also get a GET
/// stream and a DELETE at the end. Everything else is in <see cref="McpTransportConfig"/>.
/// </summary>
public sealed record StreamableHttpConfig : McpTransportConfig
{
    public StreamableHttpConfig(Uri url)
        : base(url)
    {
    }

    public StreamableHttpConfig(string url)
        : base(new Uri(url, UriKind.Absolute))
    {
    }

    /// <summary>
    /// Open the session's GET stream (2025 era) for messages tied to no request: list changes, resource updates, log
    /// entries, and the server's own requests. A server that answers the GET with 405 has none; that is not an error.
    /// Default true.
    /// </summary>
    public bool OpenGetStream { get; init; } = true;

    public override void Validate()
    {
        if (!Url.IsAbsoluteUri || (Url.Scheme != "http" && Url.Scheme != "https"))
            throw new ArgumentException($"Url must be an absolute http:// or https:// URL, not '{Url}'.", nameof(Url));
        base.Validate();
    }
}
