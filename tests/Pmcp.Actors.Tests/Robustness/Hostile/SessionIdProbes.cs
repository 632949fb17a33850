using System.Net;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Robustness.Hostile;

/// <summary>
/// Streamable HTTP session ids: guessed ids get 404 like any unknown one; a session id is 128 random bits, so without
/// authentication holding it is what makes a caller the session's (README, "Security"); with authentication another
/// caller's id gets 404 on every method and leaves the owner's session as it was.
/// </summary>
[Collection(HostileCollection.Name)]
public sealed class SessionIdProbes(HostileServer hostile, ITestOutputHelper output) : IClassFixture<HostileServer>
{
    private const int Guesses = 300;

    [Fact]
    public Task GuessedSessionIds_Get404_AndRealOnesAre128RandomBits() => Probe.BesideCanaryAsync(hostile.Server, output, async () =>
    {
        var real = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            await using var session = await McpHttpTestClient.ConnectAsync(hostile.Server.McpHttpUri);
            real.Add(session.SessionId!);
        }
        Assert.All(real, id => Assert.Matches("^[0-9a-f]{32}$", id));
        Assert.Equal(real.Count, real.Distinct().Count());

        await using var guesser = new McpHttpTestClient(hostile.Server.McpHttpUri);
        var random = new Random(20261206);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < Guesses; i++)
        {
            guesser.SessionId = i switch
            {
                < 10 => i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                < 20 => real[i - 10][..31] + (real[i - 10][31] == '0' ? '1' : '0'), // one hex digit off a real id
                _ => Convert.ToHexStringLower(random.GetItems<byte>([.. Enumerable.Range(0, 256).Select(b => (byte)b)], 16)),
            };
            using var response = await guesser.PostAsync(guesser.Request("ping"));
            statuses.Add(response.StatusCode);
        }

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.NotFound, s));
    });

    [Fact]
    public async Task AnotherCallersSessionId_WithAuthentication_Gets404OnEveryMethod_AndTheSessionGoesOn()
    {
        await using var server = await TestServer.StartAsync(
            configureHost: HeaderAuthenticationHandler.AddTo,
            configureApp: HeaderAuthenticationHandler.UseIn,
            configureEndpoint: endpoint => endpoint.RequireAuthorization());

        await Probe.BesideCanaryAsync(server, output, async () =>
        {
            await using var alice = new McpHttpTestClient(server.McpHttpUri);
            alice.DefaultHeaders.Add(HeaderAuthenticationHandler.Header, "alice");
            await alice.InitializeAsync();
            await using var bob = new McpHttpTestClient(server.McpHttpUri) { SessionId = alice.SessionId, ProtocolVersion = alice.ProtocolVersion };
            bob.DefaultHeaders.Add(HeaderAuthenticationHandler.Header, "bob");

            using var post = await bob.PostAsync(bob.Request("tools/call", new JObject { ["name"] = "echo", ["arguments"] = new JObject { ["text"] = "as alice" } }));
            using var get = await bob.OpenGetStreamAsync();
            var delete = await bob.DeleteSessionAsync();

            Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, delete);
            Assert.Equal("still mine", (await alice.CallToolAsync("echo", new { text = "still mine" })).ToolText());
        }, canaryHeader: (HeaderAuthenticationHandler.Header, "canary"));
    }

    [Fact]
    public Task AnotherCallersSessionId_WithoutAuthentication_IsTheSession_SoOnlyItsHolderCanUseIt() => Probe.BesideCanaryAsync(hostile.Server, output, async () =>
    {
        // Without authentication nothing but the id tells callers apart: whoever holds it is the session. What keeps
        // others out is that it cannot be guessed (the test above) and travels only to its own client.
        await using var owner = await McpHttpTestClient.ConnectAsync(hostile.Server.McpHttpUri);
        await using var holder = new McpHttpTestClient(hostile.Server.McpHttpUri) { SessionId = owner.SessionId, ProtocolVersion = owner.ProtocolVersion };

        Assert.Equal("same session", (await holder.CallToolAsync("echo", new { text = "same session" })).ToolText());
        Assert.Equal(HttpStatusCode.NoContent, await holder.DeleteSessionAsync());
        using var after = await owner.PostAsync(owner.Request("ping"));
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
    });
}
