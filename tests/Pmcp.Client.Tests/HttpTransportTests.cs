using System.Net;
using Newtonsoft.Json.Linq;
using Pmcp.Client.Tests.Support;
using Pmcp.Protocol;

namespace Pmcp.Client.Tests;

/// <summary>
/// What is particular to 2025-era Streamable HTTP, against our server serving that era only: the session, its end, and
/// coming back after losing it. (A 2026-07-28 client has no session: StatelessEraTests.)
/// </summary>
public sealed class HttpTransportTests(LegacyServerFixture fixture) : IClassFixture<LegacyServerFixture>
{
    private StreamableHttpConfig Config => new(fixture.Server.HttpUrl)
    {
        RequestTimeout = Deadline.Default,
        ReconnectDelay = TimeSpan.FromMilliseconds(50),
        MaxReconnectDelay = TimeSpan.FromMilliseconds(200),
    };

    [Fact]
    public async Task InitializeAsync_FallsBackFromDiscover_AndTheServerGivesASession()
    {
        await using var client = new McpClient(Config);

        var result = await client.InitializeAsync(ClientCapabilities.Minimal()).Within("initialize");

        Assert.Equal(McpProtocolVersions.Latest, result.ProtocolVersion);
        Assert.False(client.IsModernProtocol);
        Assert.False(string.IsNullOrEmpty(((StreamableHttpTransport)client.Transport).SessionId));
    }

    [Fact]
    public async Task CloseAsync_DeletesTheSession()
    {
        var client = await McpClient.ConnectAsync(Config, ClientCapabilities.Minimal()).Within("connect");
        var sessionId = ((StreamableHttpTransport)client.Transport).SessionId!;

        await client.CloseAsync().Within("close");

        Assert.Equal(HttpStatusCode.NotFound, await PostInSessionAsync(sessionId));
    }

    [Fact]
    public async Task LostSession_IsReplacedByANewOne_AndRequestsGoOutAgain()
    {
        await using var client = await McpClient.ConnectAsync(Config, ClientCapabilities.Minimal()).Within("connect");
        var transport = (StreamableHttpTransport)client.Transport;
        var first = transport.SessionId!;
        var disconnected = new TaskCompletionSource<McpDisconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        var reconnected = new TaskCompletionSource<McpReconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Disconnected += (_, e) => disconnected.TrySetResult(e);
        client.Reconnected += (_, e) => reconnected.TrySetResult(e);

        // The server forgets the session (as after an idle timeout or a restart): whatever the client sends in it next
        // (this ping, or the reopening of its GET stream, whichever comes first) gets 404, which ends the session.
        await DeleteSessionAsync(first);
        try
        {
            await client.PingAsync().Within("ping");
        }
        catch (McpConnectionLostException)
        {
            // The ping was the one that found the session gone; had the GET stream been first, the ping waited for the new session.
        }
        var lost = await disconnected.Task.Within("the client to see the session gone");
        var again = await reconnected.Task.Within("the client to start a new session");
        var echo = await client.CallToolAsync("echo", new JObject { ["text"] = "new session" }).Within("echo in the new session");

        Assert.Contains("no longer knows session", lost.Reason.Message);
        Assert.True(lost.WillReconnect);
        Assert.Equal(McpProtocolVersions.Latest, again.Result.ProtocolVersion);
        Assert.NotEqual(first, transport.SessionId);
        Assert.Equal("new session", ((TextContent)echo.Content[0]).Text);
    }

    [Fact]
    public async Task NothingListening_FailsInitializeWithConnectException()
    {
        await using var client = new McpClient(new StreamableHttpConfig($"http://127.0.0.1:{Ports.Free()}/mcp") { AutoReconnect = false });

        var ex = await Assert.ThrowsAsync<McpConnectException>(() => client.InitializeAsync(ClientCapabilities.Minimal()).Within("initialize"));

        Assert.StartsWith("Could not connect to http://127.0.0.1:", ex.Message);
        Assert.Equal(McpClientState.Created, client.State);
    }

    private async Task DeleteSessionAsync(string sessionId)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Delete, fixture.Server.HttpUrl);
        request.Headers.Add("Mcp-Session-Id", sessionId);
        using var response = await http.SendAsync(request).Within("DELETE of the session");
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    private async Task<HttpStatusCode> PostInSessionAsync(string sessionId)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, fixture.Server.HttpUrl)
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"ping"}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Accept", "application/json, text/event-stream");
        request.Headers.Add("Mcp-Session-Id", sessionId);
        using var response = await http.SendAsync(request).Within("a POST in the session");
        return response.StatusCode;
    }
}
