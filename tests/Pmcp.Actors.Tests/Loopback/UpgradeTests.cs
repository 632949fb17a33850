using System.Net;
using System.Net.WebSockets;
using Pmcp.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Loopback;

public sealed class UpgradeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Upgrade_EchoesMcpSubprotocol_WhenClientOffersIt()
    {
        await using var server = await TestServer.StartAsync(output: output);
        await using var client = await server.ConnectAsync(subProtocol: "mcp");

        Assert.Equal("mcp", client.SubProtocol);
        Assert.Equal("hi", (await client.CallToolAsync("echo", new { text = "hi" })).ToolText());
    }

    [Fact]
    public async Task Upgrade_ServesSessionWithoutSubprotocol_WhenClientOffersNone()
    {
        await using var server = await TestServer.StartAsync(output: output);
        await using var client = await server.ConnectAsync(subProtocol: null);

        Assert.Null(client.SubProtocol);
        Assert.Equal("hi", (await client.CallToolAsync("echo", new { text = "hi" })).ToolText());
    }

    [Fact]
    public async Task WebSocketOnlyEndpoint_Answers426WithText_WhenRequestIsPlainHttp()
    {
        await using var server = await TestServer.StartAsync(output: output, webSocketOnly: true);
        using var http = new HttpClient { Timeout = Deadline.Default };

        using var response = await http.GetAsync(new Uri(server.HttpUri, "/mcp"));

        Assert.Equal(HttpStatusCode.UpgradeRequired, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.ToString() ?? "text/plain", StringComparison.Ordinal);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("WebSocket", body, StringComparison.Ordinal);
        Assert.Contains("websocket", response.Headers.Upgrade.Select(u => u.Name), StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Upgrade_IsRefusedWith503_WhenMaxConnectionsAreOpenAndNoneIsIdle()
    {
        await using var server = await TestServer.StartAsync(configureOptions: o => o.MaxConnections = 2, output: output);
        await using var first = await Busy(await server.ConnectAsync());
        await using var second = await Busy(await server.ConnectAsync());

        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("mcp");
        socket.Options.CollectHttpResponseDetails = true;
        using var cts = new CancellationTokenSource(Deadline.Default);
        var refusal = await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(server.WebSocketUri, cts.Token));
        socket.Dispose();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, socket.HttpStatusCode);
        Assert.NotNull(refusal);

        // The two admitted sessions are untouched by the refusal.
        Assert.Equal("one", (await first.CallToolAsync("echo", new { text = "one" })).ToolText());
        Assert.Equal("two", (await second.CallToolAsync("echo", new { text = "two" })).ToolText());
    }

    [Fact]
    public async Task Upgrade_IsAdmittedAgain_WhenAConnectionUnderMaxConnectionsCloses()
    {
        await using var server = await TestServer.StartAsync(configureOptions: o => o.MaxConnections = 1, output: output);
        var first = await Busy(await server.ConnectAsync());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await UpgradeProbe.TryUpgradeAsync(server.WebSocketUri));

        await first.DisposeAsync();

        // The slot frees once the server has finished with the closed socket, which is not synchronised with our close.
        var status = HttpStatusCode.ServiceUnavailable;
        var deadline = DateTime.UtcNow + Deadline.Default;
        while (status == HttpStatusCode.ServiceUnavailable && DateTime.UtcNow < deadline)
        {
            status = await UpgradeProbe.TryUpgradeAsync(server.WebSocketUri);
        }

        Assert.Equal(HttpStatusCode.SwitchingProtocols, status);
    }

    /// <summary>A call in flight for as long as the test runs: the session is not idle, so the gate cannot evict it.</summary>
    internal static async Task<McpTestClient> Busy(McpTestClient client)
    {
        client.RequireEveryRequestAnswered = false;
        await client.StartToolCallAsync("sleep", new { ms = 60_000 });
        (await client.PingAsync()).EnsureSuccess(); // answered after the call was started: the session handles messages in order
        return client;
    }
}
