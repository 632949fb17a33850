using System.Reflection;

namespace Pmcp.Actors.Tests.Support;

/// <summary>
/// The repository this test assembly was built from, as recorded at build time (the <c>RepoRoot</c> assembly
/// metadata in the test project). Tests never look for it by walking up from their output folder, which may be
/// anywhere (<c>--artifacts-path</c>).
/// </summary>
internal static class RepoPaths
{
    private const string MetadataKey = "RepoRoot";

    private static readonly Lazy<string> LazyRoot = new(ReadRoot);

    /// <summary>The repository's top folder (where <c>Pmcp.Actors.sln</c> is).</summary>
    public static string Root => LazyRoot.Value;

    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string ReadRoot()
    {
        var value = typeof(RepoPaths).Assembly
            .GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == MetadataKey)?.Value;
        if (string.IsNullOrEmpty(value))
        {
            throw new InvalidOperationException(
                $"The test assembly has no '{MetadataKey}' AssemblyMetadata; see Pmcp.Actors.Tests.csproj.");
        }

        if (!Directory.Exists(value))
        {
            throw new DirectoryNotFoundException($"The repository root recorded at build time does not exist: {value}");
        }

        return value;
    }
}
