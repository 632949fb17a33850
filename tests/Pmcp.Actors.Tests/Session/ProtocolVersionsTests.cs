using Pmcp.Protocol;

namespace Pmcp.Actors.Tests.Session;

/// <summary>
/// Which revisions initialize, a 2025 POST's <c>MCP-Protocol-Version</c> and the client accept: the four 2025-era ones,
/// compared exactly as written, and nothing else (the 2026-07-28 revision is named per request, not negotiated).
/// </summary>
public sealed class ProtocolVersionsTests
{
    public static TheoryData<string> Supported() => [.. McpProtocolVersions.Supported];

    [Theory]
    [MemberData(nameof(Supported))]
    public void EachSupportedRevision_IsSupported_AndNegotiatedAsThisLibrarysOwnString(string version)
    {
        var own = McpProtocolVersions.Supported.Single(supported => supported == version);
        var asSent = new string(version.AsSpan()); // the request's own copy of the text

        Assert.True(McpProtocolVersions.IsSupported(asSent));
        Assert.NotSame(own, asSent);
        Assert.Same(own, McpProtocolVersions.Negotiate(asSent));
    }

    [Theory]
    [InlineData(McpProtocolVersions.V2026_07_28)]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("2025-11-25 ")]
    [InlineData("2025-11-2")]
    [InlineData("2025-11-25T00:00:00Z")]
    [InlineData("2099-01-01")]
    public void AnyOtherText_IsNotSupported_AndInitializeAnswersWithTheLatest(string? version)
    {
        Assert.False(McpProtocolVersions.IsSupported(version));
        Assert.Equal(McpProtocolVersions.Latest, McpProtocolVersions.Negotiate(version));
    }

    [Fact]
    public void TheSupportedList_IsNewestFirst_AndCannotBeChangedByItsReaders()
    {
        Assert.Equal([McpProtocolVersions.V2025_11_25, McpProtocolVersions.V2025_06_18, McpProtocolVersions.V2025_03_26, McpProtocolVersions.V2024_11_05],
            McpProtocolVersions.Supported);
        Assert.Equal(McpProtocolVersions.Latest, McpProtocolVersions.Supported[0]);
        Assert.Throws<NotSupportedException>(() => ((IList<string>)McpProtocolVersions.Supported)[0] = "2099-01-01");
    }
}
