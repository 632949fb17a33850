namespace Pmcp.Protocol;

/// <summary>
/// The MCP revisions this project speaks, newest first. <see cref="Supported"/> and <see cref="Latest"/> are the
/// 2025 era's, negotiated by <c>initialize</c>; <see cref="V2026_07_28"/> is the stateless era's, named by each request.
/// </summary>
public static class McpProtocolVersions
{
    public const string V2026_07_28 = "2026-07-28";
    public const string V2025_11_25 = "2025-11-25";
    public const string V2025_06_18 = "2025-06-18";
    public const string V2025_03_26 = "2025-03-26";
    public const string V2024_11_05 = "2024-11-05";

    public const string Latest = V2025_11_25;

    // One array, read by a loop: asked on every 2025 POST (its MCP-Protocol-Version header), a LINQ Contains over the
    // list made an enumerator each time (issue 29).
    private static readonly string[] SupportedVersions = [V2025_11_25, V2025_06_18, V2025_03_26, V2024_11_05];

    public static IReadOnlyList<string> Supported { get; } = Array.AsReadOnly(SupportedVersions);

    /// <summary>True when <paramref name="version"/> is one of <see cref="Supported"/> (ordinal: a revision is a date, compared as written).</summary>
    public static bool IsSupported(string? version) => Find(version) is not null;

    /// <summary>The revision to speak: the requested one when supported (as this class's own string, so a session keeps no copy of the request's), else <see cref="Latest"/>.</summary>
    public static string Negotiate(string? requested) => Find(requested) ?? Latest;

    private static string? Find(string? version)
    {
        if (version is null) return null;
        foreach (var supported in SupportedVersions)
        {
            if (string.Equals(supported, version, StringComparison.Ordinal)) return supported;
        }
        return null;
    }
}
