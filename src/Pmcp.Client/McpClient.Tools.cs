using Newtonsoft.Json.Linq;
using Pmcp.Protocol;

namespace Pmcp.Client;

/// <summary>Tools, ping, and following <c>nextCursor</c> through every page of a list.</summary>
public sealed partial class McpClient
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, IReadOnlyList<ParamHeader>> _paramHeaders = new(StringComparer.Ordinal);

    /// <summary>
    /// Sends <c>ping</c> and returns the round-trip time. A 2026-07-28 server has no ping (the revision removed it):
    /// there the round trip of <c>server/discover</c> is timed instead.
    /// </summary>
    public async Task<TimeSpan> PingAsync(CancellationToken cancellationToken = default)
    {
        var started = _config.TimeProvider.GetTimestamp();
        await RequestAsync(_modern ? ModernProtocol.ServerDiscover : McpMethods.Ping, _ => null, cancellationToken).ConfigureAwait(false);
        return _config.TimeProvider.GetElapsedTime(started);
    }

    /// <summary>Asks <c>server/discover</c> again (2026 era) and returns the answer; a 2025-era server has no discover, so there it throws <see cref="McpProtocolException"/> (-32601 or whatever it answers).</summary>
    public async Task<DiscoverResult> DiscoverAsync(CancellationToken cancellationToken = default)
    {
        var token = await RequestAsync(ModernProtocol.ServerDiscover, _ => null, cancellationToken).ConfigureAwait(false);
        return Parse<DiscoverResult>(token, ModernProtocol.ServerDiscover);
    }

    /// <summary>One page of <c>tools/list</c>; pass the previous page's <see cref="ListToolsResult.NextCursor"/> for the next.</summary>
    /// <remarks>
    /// Over 2026-era Streamable HTTP, the page leaves out (with a warning logged) every tool whose <c>x-mcp-header</c>
    /// marks break the spec's rules, and remembers the marks of the others for <see cref="CallToolAsync"/>.
    /// </remarks>
    public async Task<ListToolsResult> ListToolsPageAsync(string? cursor = null, CancellationToken cancellationToken = default)
    {
        var result = await RequestAsync(McpMethods.ToolsList, _ => Cursor(cursor), cancellationToken).ConfigureAwait(false);
        var page = Parse<ListToolsResult>(result, McpMethods.ToolsList);
        if (!_modern || _transport is not StreamableHttpTransport) return page;

        var kept = new List<Tool>(page.Tools.Count);
        foreach (var tool in page.Tools)
        {
            var headers = McpParamHeaders.Find(tool.InputSchema, out var invalid);
            if (headers is null)
            {
                LogToolRejected(_logger, tool.Name, invalid!);
                continue;
            }
            if (headers.Count > 0) _paramHeaders[tool.Name] = headers;
            else _paramHeaders.TryRemove(tool.Name, out _);
            kept.Add(tool);
        }
        return page with { Tools = kept };
    }

    /// <summary>Every tool the server offers: <c>tools/list</c>, following <c>nextCursor</c> until the last page.</summary>
    /// <exception cref="McpException">The server sent a cursor it had sent before (it would never end).</exception>
    public Task<IReadOnlyList<Tool>> ListToolsAsync(CancellationToken cancellationToken = default) =>
        AllPagesAsync(McpMethods.ToolsList, ListToolsPageAsync, page => (page.Tools, page.NextCursor), cancellationToken);

    /// <summary>
    /// Calls a tool. A tool's own failure comes back as a result with <see cref="CallToolResult.IsError"/> set; an
    /// unknown tool or bad params is an <see cref="McpProtocolException"/>. With <paramref name="progress"/>, the
    /// request carries a progress token and the server's <c>notifications/progress</c> for it are reported there.
    /// A 2026-era server that answers <c>input_required</c> gets its input from the client's handlers and the call is
    /// retried with it (MRTR), until it completes.
    /// </summary>
    public async Task<CallToolResult> CallToolAsync(string name, JObject? arguments = null, IProgress<ProgressParams>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        arguments ??= new JObject();
        var parameters = new JObject { ["name"] = name, ["arguments"] = arguments };
        // 2026-era HTTP: the arguments the tool marked with x-mcp-header (known from tools/list) go in Mcp-Param-* headers too.
        var headers = _modern && _paramHeaders.TryGetValue(name, out var marked) ? McpParamHeaders.Extract(marked, arguments).ToList() : null;
        var result = await RequestWithInputAsync(McpMethods.ToolsCall, parameters, name, progress, cancellationToken, headers).ConfigureAwait(false);
        return Parse<CallToolResult>(result, McpMethods.ToolsCall);
    }

    private static JObject? Cursor(string? cursor) => cursor is null ? null : new JObject { ["cursor"] = cursor };

    /// <summary>Every item of a paged list: page after page until one has no <c>nextCursor</c>; a cursor seen twice stops it with an error.</summary>
    private static async Task<IReadOnlyList<TItem>> AllPagesAsync<TPage, TItem>(string method,
        Func<string?, CancellationToken, Task<TPage>> pageAsync, Func<TPage, (IReadOnlyList<TItem> Items, string? NextCursor)> split,
        CancellationToken cancellationToken)
    {
        var items = new List<TItem>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? cursor = null;
        do
        {
            var (pageItems, next) = split(await pageAsync(cursor, cancellationToken).ConfigureAwait(false));
            items.AddRange(pageItems);
            cursor = string.IsNullOrEmpty(next) ? null : next;
            if (cursor is not null && !seen.Add(cursor))
                throw new McpException($"The server sent the {method} cursor '{cursor}' twice; stopped after {items.Count} items.");
        }
        while (cursor is not null);
        return items;
    }
}
