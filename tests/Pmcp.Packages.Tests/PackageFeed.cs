using System.IO.Compression;
using System.Xml.Linq;

namespace Pmcp.Packages.Tests;

/// <summary>
/// The repository's packages, packed once per test run into a folder feed with a version of their own
/// (<c>0.0.0-test.&lt;random&gt;</c>), so that what NuGet restores is what this run packed and never a copy an earlier run
/// left in the global packages folder; those copies are removed again on dispose.
/// </summary>
public sealed class PackageFeed : IAsyncLifetime
{
    /// <summary>The packages <c>dotnet pack</c> at the repository's root is meant to yield.</summary>
    public static readonly string[] PackageIds = ["Pmcp.Protocol", "Pmcp.Actors", "Pmcp.Client", "Pmcp.Actors.TestKit", "Pmcp.Cli"];

    private static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(5);

    public string Folder { get; } = Directory.CreateTempSubdirectory("pmcp-feed-").FullName;

    public string Version { get; } = "0.0.0-test." + Guid.NewGuid().ToString("N")[..12];

    public string PackOutput { get; private set; } = "";

    public async Task InitializeAsync()
    {
        // The solution was built (Debug) before any test ran: pack what was built, as `dotnet pack` at the root would.
        var result = await DotnetCli.RunAsync(RepoRoot.Path, PackTimeout,
            "pack", "Pmcp.Actors.sln", "--no-build", "-c", "Debug", "-o", Folder, "-p:Version=" + Version).ConfigureAwait(false);
        PackOutput = result.Output;
        result.AssertSucceeded("dotnet pack");
    }

    public string PackagePath(string id, string extension = "nupkg") => Path.Combine(Folder, $"{id}.{Version}.{extension}");

    /// <summary>The package's nuspec, parsed.</summary>
    public XElement Nuspec(string id)
    {
        using var zip = ZipFile.OpenRead(PackagePath(id));
        var entry = zip.Entries.Single(e => e.FullName == id + ".nuspec");
        using var stream = entry.Open();
        return XDocument.Load(stream).Root!;
    }

    public IReadOnlyList<string> Entries(string id, string extension = "nupkg")
    {
        using var zip = ZipFile.OpenRead(PackagePath(id, extension));
        return [.. zip.Entries.Select(e => e.FullName)];
    }

    public Task DisposeAsync()
    {
        Directory.Delete(Folder, recursive: true);
        var globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var id in PackageIds)
        {
            var restored = Path.Combine(globalPackages, id.ToLowerInvariant(), Version);
            if (Directory.Exists(restored)) Directory.Delete(restored, recursive: true);
        }

        return Task.CompletedTask;
    }
}
