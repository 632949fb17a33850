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

    public static IReadOnlyList<string> Supported { get; } = [V2025_11_25, V2025_06_18, V2025_03_26, V2024_11_05];

    /// <summary>The lifecycle rule: echo a supported requested version, otherwise answer with the latest.</summary>
    /// <summary>The revision to speak: the requested one when supported (as this class's own string, so a session keeps no copy of the request's), else <see cref="Latest"/>.</summary>
    public static string Negotiate(string? requested) =>
        requested is not null && Supported.FirstOrDefault(v => string.Equals(v, requested, StringComparison.Ordinal)) is { } supported ? supported : Latest;
}
