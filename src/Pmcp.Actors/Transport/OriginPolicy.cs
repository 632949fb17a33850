namespace Pmcp.Actors.Transport;

/// <summary>
/// Which browser origins may open a socket (<see cref="McpServerOptions.AllowedOrigins"/>): protection against DNS
/// rebinding and cross-site WebSocket hijacking. A request without an <c>Origin</c> header (a non-browser client) is
/// always allowed; an empty list allows loopback origins only; <c>*</c> allows any; otherwise the origin must be listed.
/// </summary>
internal sealed class OriginPolicy
{
    private readonly HashSet<string> _allowed = new(StringComparer.Ordinal);
    private readonly bool _any;
    private readonly bool _loopbackOnly;

    public OriginPolicy(IEnumerable<string> allowedOrigins)
    {
        foreach (var entry in allowedOrigins)
        {
            var origin = entry.Trim();
            if (origin == "*") _any = true;
            else _allowed.Add(Normalize(origin) ?? throw new ArgumentException(
                $"AllowedOrigins entries must be '*', 'null' or an origin such as https://app.example.com, not '{entry}'."));
        }
        _loopbackOnly = !_any && _allowed.Count == 0;
    }

    public bool IsAllowed(string? origin)
    {
        if (string.IsNullOrEmpty(origin) || _any) return true;
        if (_loopbackOnly)
        {
            return Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.IsLoopback;
        }
        return Normalize(origin) is { } normalized && _allowed.Contains(normalized);
    }

    /// <summary>scheme://host[:port] in lower case without a default port; "null" as is; null when it is no origin.</summary>
    private static string? Normalize(string origin)
    {
        if (origin == "null") return origin; // sandboxed documents and file:// pages send this
        if (!Uri.TryCreate(origin.TrimEnd('/'), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")) return null;
        if (uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.UserInfo.Length > 0) return null;
        return (uri.Scheme + "://" + uri.Authority).ToLowerInvariant();
    }
}
