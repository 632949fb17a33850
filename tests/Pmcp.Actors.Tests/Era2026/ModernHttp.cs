using System.Net;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Tests.Support;

namespace Pmcp.Actors.Tests.Era2026;

/// <summary>A 2026-07-28 POST as a client sends it (routing headers from the body unless told otherwise), and its one answer read from JSON or SSE.</summary>
internal static class ModernHttp
{
    public static HttpRequestMessage Post(McpHttpTestClient client, int id, string method, JObject @params, string? versionHeader = ModernRequests.Version, string? methodHeader = null, string? nameHeader = null)
    {
        var body = new JObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = @params };
        var request = client.NewPost(body.ToString(Formatting.None), withSession: false);
        if (versionHeader is not null) request.Headers.Add("MCP-Protocol-Version", versionHeader);
        request.Headers.Add("Mcp-Method", methodHeader ?? method);
        if (nameHeader is not null) request.Headers.Add("Mcp-Name", nameHeader);
        return request;
    }

    public static async Task<(HttpStatusCode Status, JObject Body, HttpResponseMessage Response)> SendAsync(McpHttpTestClient client, HttpRequestMessage request)
    {
        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (response.Content.Headers.ContentType?.MediaType == "text/event-stream")
        {
            // The last data line is the response.
            text = text.Split('\n').Last(l => l.StartsWith("data:", StringComparison.Ordinal))["data:".Length..].Trim();
        }
        return (response.StatusCode, JObject.Parse(text), response);
    }
}
