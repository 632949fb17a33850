namespace Pmcp.Packages.Tests;

/// <summary>Every test of this assembly shares one packed feed: packing takes a while, and each test only reads it.</summary>
[CollectionDefinition(Name)]
public sealed class PackagesCollection : ICollectionFixture<PackageFeed>
{
    public const string Name = "packages";
}
