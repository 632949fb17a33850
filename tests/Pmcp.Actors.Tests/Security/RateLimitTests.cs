using System.Net;
using System.Net.WebSockets;
using Pmcp.Actors.Tests.Support;
using Pmcp.Protocol;

namespace Pmcp.Actors.Tests.Security;

/// <summary>Upgrades per client address (HTTP 429) and messages per connection (-32005, then 1008), over loopback.</summary>
public sealed class RateLimitTests
{
    [Fact]
    public async Task Endpoint_Answers429WithRetryAfter_WhenAnAddressPassesItsUpgradeLimit()
    {
        await using var server = await TestServer.StartAsync(configureOptions: o =>
        {
            o.MaxUpgradesPerWindow = 3;
            o.UpgradeRateLimitWindow = TimeSpan.FromMinutes(10);
        });

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++) statuses.Add(await UpgradeProbe.TryUpgradeAsync(server.WebSocketUri));
        var (fourth, headers) = await UpgradeProbe.TryUpgradeWithHeadersAsync(server.WebSocketUri);

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.SwitchingProtocols, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, fourth);
        Assert.True(int.Parse(Assert.Single(headers!["Retry-After"]), System.Globalization.CultureInfo.InvariantCulture) > 0);
    }

    [Fact]
    public async Task Endpoint_LimitsSessionStartsPerClient_ByDefault_WithRoomForAnOfficeBehindOneAddress()
    {
        await using var server = await TestServer.StartAsync();

        Assert.Equal(300, server.Options.MaxUpgradesPerWindow);
        Assert.Equal(TimeSpan.FromMinutes(1), server.Options.UpgradeRateLimitWindow);
        Assert.Equal(500, server.Options.MaxConnectionsPerClient);
        for (var i = 0; i < 20; i++) Assert.Equal(HttpStatusCode.SwitchingProtocols, await UpgradeProbe.TryUpgradeAsync(server.WebSocketUri));
    }

    [Fact]
    public async Task Connection_AnswersRateLimitedThenCloses1008_WhenAClientFloodsIt()
    {
        await using var server = await TestServer.StartAsync(configureOptions: o =>
        {
            o.MaxMessagesPerSecond = 0.001; // effectively no refill during the test: only the burst is admitted
            o.MessageBurst = 5;
            o.RateLimitViolationsBeforeClose = 10;
        });
        await using var client = await server.ConnectAsync(); // initialize + initialized: 2 of the 5

        var answered = new List<WireMessage>();
        for (var i = 0; i < 3; i++) answered.Add(await client.PingAsync());
        var refused = await client.PingAsync(); // refusal 1; nine more make ten
        for (var i = 0; i < 9; i++)
        {
            _ = client.ExpectResponse($"flood-{i}"); // sent raw, so tell the response invariant they are ours
            await client.SendTextAsync($"{{\"jsonrpc\":\"2.0\",\"id\":\"flood-{i}\",\"method\":\"ping\"}}");
        }
        var closed = await client.WaitForCloseAsync();

        Assert.All(answered, a => Assert.Null(a.Error));
        Assert.Equal(JsonRpcErrorCodes.RateLimited, refused.ErrorCode);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, closed.Status);
        Assert.Equal("message rate limit exceeded", closed.Description);
    }
}
