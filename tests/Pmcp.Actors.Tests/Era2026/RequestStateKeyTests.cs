using Pmcp.Actors.Hosting;
using Pmcp.Actors.Session.Era2026;

namespace Pmcp.Actors.Tests.Era2026;

/// <summary>
/// The key that signs requestState: the configured one, else one the server makes on first use in its data folder,
/// readable by its user only, that a restarted server (new options, same folder) finds again.
/// </summary>
public sealed class RequestStateKeyTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "pmcp-key-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void WithoutAConfiguredKey_OneIsMadeInTheDataFolder_OwnerOnly_AndFoundAgainAfterARestart()
    {
        var first = RequestStateKey.For(new McpServerOptions { DataDirectory = _folder });
        var afterRestart = RequestStateKey.For(new McpServerOptions { DataDirectory = _folder });

        var file = Path.Combine(_folder, RequestStateKey.FileName);
        Assert.True(File.Exists(file));
        Assert.Equal(32, first.Length);
        Assert.Equal(first, afterRestart);
        Assert.Equal(Convert.ToBase64String(first), File.ReadAllText(file));
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Single(Directory.GetFiles(_folder)); // nothing left of the write aside
    }

    [Fact]
    public void ConfiguredKey_IsUsed_AndNoFileIsMade()
    {
        var configured = Convert.ToBase64String(Enumerable.Range(1, 40).Select(i => (byte)i).ToArray());

        var key = RequestStateKey.For(new McpServerOptions { RequestStateKey = configured, DataDirectory = _folder });

        Assert.Equal(Convert.FromBase64String(configured), key);
        Assert.False(Directory.Exists(_folder));
    }

    [Theory]
    [InlineData("not base64!", "base64")]
    [InlineData("c2hvcnQ=", "at least 32 bytes")]
    public void ConfiguredKeyThatCannotSign_IsAConfigurationError(string configured, string expected)
    {
        var problems = McpServerOptionsValidator.Failures(new McpServerOptions { RequestStateKey = configured }).ToList();

        Assert.Contains(problems, p => p.StartsWith("RequestStateKey cannot be used", StringComparison.Ordinal) && p.Contains(expected, StringComparison.Ordinal));
    }
}
