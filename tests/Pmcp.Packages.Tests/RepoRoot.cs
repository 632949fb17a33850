using System.Reflection;

namespace Pmcp.Packages.Tests;

/// <summary>The repository this test assembly was built from (the <c>RepoRoot</c> assembly metadata, set at build time).</summary>
internal static class RepoRoot
{
    public static string Path { get; } = typeof(RepoRoot).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RepoRoot").Value!;
}
