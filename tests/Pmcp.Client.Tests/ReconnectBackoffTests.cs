namespace Pmcp.Client.Tests;

public sealed class ReconnectBackoffTests
{
    private static readonly WebSocketConfig Seed = new()
    {
        ReconnectDelay = TimeSpan.FromSeconds(1),
        MaxReconnectDelay = TimeSpan.FromSeconds(30),
        ReconnectJitter = 0.2,
    };

    [Fact]
    public void DelayBefore_DoublesFromReconnectDelayUpToMax_WhenJitterLandsInTheMiddle()
    {
        var backoff = new ReconnectBackoff(Seed, () => 0.5);

        var delays = Enumerable.Range(1, 8).Select(backoff.DelayBefore).Select(d => d.TotalSeconds);

        Assert.Equal([1, 2, 4, 8, 16, 30, 30, 30], delays);
    }

    [Fact]
    public void DelayBefore_SpreadsTwentyPercentEitherWay_ButNeverPastTheMax()
    {
        var low = new ReconnectBackoff(Seed, () => 0.0);
        var high = new ReconnectBackoff(Seed, () => 1.0);

        Assert.Equal(0.8, low.DelayBefore(1).TotalSeconds, 6);
        Assert.Equal(1.2, high.DelayBefore(1).TotalSeconds, 6);
        Assert.Equal(12.8, low.DelayBefore(5).TotalSeconds, 6);
        Assert.Equal(19.2, high.DelayBefore(5).TotalSeconds, 6);
        Assert.Equal(24, low.DelayBefore(6).TotalSeconds, 6);
        Assert.Equal(30, high.DelayBefore(6).TotalSeconds, 6);
    }

    [Fact]
    public void DelayBefore_StaysFinite_AfterVeryManyAttempts()
    {
        var backoff = new ReconnectBackoff(Seed with { ReconnectJitter = 0 });

        Assert.Equal(TimeSpan.FromSeconds(30), backoff.DelayBefore(10_000));
    }

    [Fact]
    public void DelayBefore_VariesBetweenCalls_WithTheDefaultRandomSource()
    {
        var backoff = new ReconnectBackoff(Seed);

        var delays = Enumerable.Range(0, 20).Select(_ => backoff.DelayBefore(3)).ToHashSet();

        Assert.True(delays.Count > 1, "jitter should spread the delays");
        Assert.All(delays, d => Assert.InRange(d.TotalSeconds, 3.2, 4.8));
    }

    [Theory]
    [InlineData(null, 1000, false)]
    [InlineData(0, 0, true)]
    [InlineData(5, 4, false)]
    [InlineData(5, 5, true)]
    public void Exhausted_CountsConsecutiveFailures_AgainstMaxReconnectAttempts(int? max, int failures, bool exhausted)
    {
        var backoff = new ReconnectBackoff(Seed with { MaxReconnectAttempts = max });

        Assert.Equal(exhausted, backoff.Exhausted(failures));
    }
}

public sealed class WebSocketConfigTests
{
    [Fact]
    public void Defaults_AreTheSeedsPlusProductionExtras()
    {
        var config = new WebSocketConfig();

        Assert.Equal(new Uri("ws://localhost:8080/"), config.Url);
        Assert.True(config.AutoReconnect);
        Assert.Equal(TimeSpan.FromSeconds(1), config.ReconnectDelay);
        Assert.Equal(TimeSpan.FromSeconds(30), config.MaxReconnectDelay);
        Assert.Null(config.MaxReconnectAttempts);
        Assert.Equal(TimeSpan.FromSeconds(30), config.PingInterval);
        Assert.Equal(TimeSpan.FromSeconds(30), config.RequestTimeout);
        Assert.Equal("mcp", config.SubProtocol);
        Assert.Empty(config.Headers);
        Assert.Equal(16 * 1024 * 1024, config.MaxMessageBytes);
        config.Validate();
    }

    [Theory]
    [InlineData("Url")]
    [InlineData("ReconnectDelay")]
    [InlineData("MaxReconnectDelay")]
    [InlineData("MaxReconnectAttempts")]
    [InlineData("PingInterval")]
    [InlineData("RequestTimeout")]
    [InlineData("MaxMessageBytes")]
    [InlineData("ReconnectJitter")]
    [InlineData("SubProtocol")]
    public void Validate_NamesTheMember_WhenItIsOutOfRange(string member)
    {
        var config = member switch
        {
            "Url" => new WebSocketConfig("http://localhost/mcp"),
            "ReconnectDelay" => new WebSocketConfig { ReconnectDelay = TimeSpan.Zero },
            "MaxReconnectDelay" => new WebSocketConfig { ReconnectDelay = TimeSpan.FromSeconds(5), MaxReconnectDelay = TimeSpan.FromSeconds(1) },
            "MaxReconnectAttempts" => new WebSocketConfig { MaxReconnectAttempts = -1 },
            "PingInterval" => new WebSocketConfig { PingInterval = TimeSpan.Zero },
            "RequestTimeout" => new WebSocketConfig { RequestTimeout = TimeSpan.Zero },
            "MaxMessageBytes" => new WebSocketConfig { MaxMessageBytes = 0 },
            "ReconnectJitter" => new WebSocketConfig { ReconnectJitter = 1 },
            "SubProtocol" => new WebSocketConfig { SubProtocol = "" },
            _ => throw new ArgumentOutOfRangeException(nameof(member)),
        };

        var ex = Assert.Throws<ArgumentException>(config.Validate);

        Assert.Equal(member, ex.ParamName);
        Assert.Throws<ArgumentException>(() => new WebSocketTransport(config));
    }

    [Fact]
    public void Validate_AcceptsNoPingsAndNoRequestTimeout()
    {
        new WebSocketConfig { PingInterval = null, RequestTimeout = Timeout.InfiniteTimeSpan, MaxReconnectAttempts = 0 }.Validate();
    }
}
