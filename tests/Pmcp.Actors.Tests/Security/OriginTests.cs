using System.Net;
using System.Net.WebSockets;
using Pmcp.Actors.Tests.Support;

namespace Pmcp.Actors.Tests.Security;

/// <summary>The Origin allow-list (McpServerOptions.AllowedOrigins), checked before the upgrade.</summary>
public sealed class OriginTests
{
    private static Action<ClientWebSocketOptions> From(string origin) => o => o.SetRequestHeader("Origin", origin);

    [Theory]
    [InlineData("http://evil.example")]
    [InlineData("https://app.example.com")]
    [InlineData("null")]
    [InlineData("http://localhost.evil.example")]
    public async Task Endpoint_Answers403BeforeTheUpgrade_WhenTheOriginIsForeignAndNoListIsConfigured(string origin)
    {
        await using var server = await TestServer.StartAsync();

        var (status, _) = await UpgradeProbe.TryUpgradeWithHeadersAsync(server.WebSocketUri, configure: From(origin));

        Assert.Equal(HttpStatusCode.Forbidden, status);
    }

    [Theory]
    [InlineData("http://localhost:5173")]
    [InlineData("http://127.0.0.1:8080")]
    [InlineData("https://[::1]")]
    [InlineData("http://localhost")]
    public async Task Endpoint_Upgrades_WhenTheOriginIsLoopbackAndNoListIsConfigured(string origin)
    {
        await using var server = await TestServer.StartAsync();

        Assert.Equal(HttpStatusCode.SwitchingProtocols, await UpgradeProbe.TryUpgradeAsync(server.WebSocketUri, configure: From(origin)));
    }

    [Fact]
    public async Task Endpoint_Upgrades_WhenTheRequestHasNoOrigin()
    {
        await using var server = await TestServer.StartAsync(configureOptions: o => o.AllowedOrigins = ["https://app.example.com"]);

        Assert.Equal(HttpStatusCode.SwitchingProtocols, await UpgradeProbe.TryUpgradeAsync(server.WebSocketUri));
    }

    [Fact]
    public async Task Endpoint_AllowsOnlyListedOrigins_WhenAllowedOriginsIsSet()
    {
        await using var server = await TestServer.StartAsync(configureOptions: o => o.AllowedOrigins = ["https://App.Example.com:443/"]);

        var listed = await UpgradeProbe.TryUpgradeAsync(server.WebSocketUri, configure: From("https://app.example.com"));
        var otherPort = await UpgradeProbe.TryUpgradeAsync(server.WebSocketUri, configure: From("https://app.example.com:8443"));
        var loopback = await UpgradeProbe.TryUpgradeAsync(server.WebSocketUri, configure: From("http://localhost:5173"));

        Assert.Equal(HttpStatusCode.SwitchingProtocols, listed);
        Assert.Equal(HttpStatusCode.Forbidden, otherPort);
        Assert.Equal(HttpStatusCode.Forbidden, loopback);
    }

    [Fact]
    public async Task Endpoint_AllowsAnyOrigin_WhenAllowedOriginsHasAWildcard()
    {
        await using var server = await TestServer.StartAsync(configureOptions: o => o.AllowedOrigins = ["*"]);

        Assert.Equal(HttpStatusCode.SwitchingProtocols, await UpgradeProbe.TryUpgradeAsync(server.WebSocketUri, configure: From("http://evil.example")));
    }

    [Fact]
    public async Task Endpoint_Answers403_ToAPlainHttpRequestFromAForeignOrigin()
    {
        await using var server = await TestServer.StartAsync();
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new UriBuilder(server.HttpUri) { Path = "/mcp" }.Uri);
        request.Headers.Add("Origin", "http://evil.example");

        using var response = await http.SendAsync(request).WaitAsync(Deadline.Default);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("Origin not allowed.\n", await response.Content.ReadAsStringAsync());
    }
}
