using Newtonsoft.Json.Linq;
using Pmcp.Protocol;

namespace Pmcp.Client;

/// <summary>Resources: listing, templates, reading.</summary>
public sealed partial class McpClient
{
    /// <summary>One page of <c>resources/list</c>; pass the previous page's <see cref="ListResourcesResult.NextCursor"/> for the next.</summary>
    public async Task<ListResourcesResult> ListResourcesPageAsync(string? cursor = null, CancellationToken cancellationToken = default)
    {
        var result = await RequestAsync(McpMethods.ResourcesList, _ => Cursor(cursor), cancellationToken).ConfigureAwait(false);
        return Parse<ListResourcesResult>(result, McpMethods.ResourcesList);
    }

    /// <summary>Every resource the server lists, across all pages.</summary>
    /// <exception cref="McpException">The server sent a cursor it had sent before (it would never end).</exception>
    public Task<IReadOnlyList<Resource>> ListResourcesAsync(CancellationToken cancellationToken = default) =>
        AllPagesAsync(McpMethods.ResourcesList, ListResourcesPageAsync, page => (page.Resources, page.NextCursor), cancellationToken);

    /// <summary>One page of <c>resources/templates/list</c>.</summary>
    public async Task<ListResourceTemplatesResult> ListResourceTemplatesPageAsync(string? cursor = null, CancellationToken cancellationToken = default)
    {
        var result = await RequestAsync(McpMethods.ResourcesTemplatesList, _ => Cursor(cursor), cancellationToken).ConfigureAwait(false);
        return Parse<ListResourceTemplatesResult>(result, McpMethods.ResourcesTemplatesList);
    }

    /// <summary>Every resource template the server lists, across all pages.</summary>
    /// <exception cref="McpException">The server sent a cursor it had sent before (it would never end).</exception>
    public Task<IReadOnlyList<ResourceTemplate>> ListResourceTemplatesAsync(CancellationToken cancellationToken = default) =>
        AllPagesAsync(McpMethods.ResourcesTemplatesList, ListResourceTemplatesPageAsync, page => (page.ResourceTemplates, page.NextCursor), cancellationToken);

    /// <summary>
    /// Reads the resource at <paramref name="uri"/> (a listed one, or one a template names). An unknown resource is an
    /// <see cref="McpProtocolException"/> (-32002 in the 2025 era, -32602 in the 2026 era). A 2026-era
    /// <c>input_required</c> answer is handled as in <see cref="CallToolAsync"/>.
    /// </summary>
    public async Task<ReadResourceResult> ReadResourceAsync(string uri, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(uri);
        var result = await RequestWithInputAsync(McpMethods.ResourcesRead, new JObject { ["uri"] = uri }, uri, null, cancellationToken).ConfigureAwait(false);
        return Parse<ReadResourceResult>(result, McpMethods.ResourcesRead);
    }
}
