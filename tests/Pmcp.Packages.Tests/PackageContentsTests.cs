namespace Pmcp.Packages.Tests;

/// <summary>What <c>dotnet pack</c> at the repository's root yields: each package with its README, license, XML docs and symbols.</summary>
[Collection(PackagesCollection.Name)]
public sealed class PackageContentsTests(PackageFeed feed)
{
    [Fact]
    public void Pack_YieldsEveryPackage_AndNothingElse()
    {
        var packed = Directory.GetFiles(feed.Folder, "*.nupkg").Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(PackageFeed.PackageIds.Select(id => $"{id}.{feed.Version}.nupkg").Order(StringComparer.Ordinal), packed);
    }

    [Theory]
    [InlineData("Pmcp.Protocol")]
    [InlineData("Pmcp.Actors")]
    [InlineData("Pmcp.Client")]
    [InlineData("Pmcp.Actors.TestKit")]
    public void LibraryPackage_CarriesItsReadme_License_XmlDocs_AndSymbols(string id)
    {
        var metadata = feed.Nuspec(id).Elements().Single(e => e.Name.LocalName == "metadata");
        string? Field(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;

        Assert.Equal(feed.Version, Field("version"));
        Assert.Equal("MIT", Field("license"));
        Assert.Equal("README.md", Field("readme"));
        Assert.False(string.IsNullOrWhiteSpace(Field("description")));
        var entries = feed.Entries(id);
        Assert.Contains("README.md", entries);
        Assert.Contains($"lib/net10.0/{id}.dll", entries);
        Assert.Contains($"lib/net10.0/{id}.xml", entries);
        Assert.Contains($"lib/net10.0/{id}.pdb", feed.Entries(id, "snupkg"));
    }

    [Fact]
    public void CliPackage_IsTheDotnetTool_pmcp()
    {
        var entries = feed.Entries("Pmcp.Cli");
        Assert.Contains("tools/net10.0/any/DotnetToolSettings.xml", entries);
        Assert.Contains("tools/net10.0/any/pmcp.dll", entries);
        Assert.Contains("README.md", entries);
    }

    [Fact]
    public void Packages_DependOnEachOther_AtTheSameVersion()
    {
        var dependencies = feed.Nuspec("Pmcp.Actors").Descendants().Where(e => e.Name.LocalName == "dependency")
            .ToDictionary(e => e.Attribute("id")!.Value, e => e.Attribute("version")!.Value);
        Assert.Equal(feed.Version, dependencies["Pmcp.Protocol"]);
    }

    [Theory]
    [InlineData("src/Pmcp.Actors.TestKit/README.md")]
    [InlineData("README.md")]
    public void Readme_ShowsTheTestKitExampleTestThatRuns(string readmePath)
    {
        var readme = File.ReadAllText(Path.Combine(RepoRoot.Path, readmePath)).ReplaceLineEndings("\n");
        var blocks = readme.Split("```csharp\n").Skip(1).Select(b => b[..b.IndexOf("```", StringComparison.Ordinal)]);
        var shown = Assert.Single(blocks, b => b.Contains("McpServerTestKit", StringComparison.Ordinal));
        var test = File.ReadAllLines(Path.Combine(RepoRoot.Path, "tests", "Pmcp.Actors.TestKit.Tests", "GreeterTests.cs")).Skip(1);
        Assert.Equal(string.Join("\n", test) + "\n", shown);
    }
}
