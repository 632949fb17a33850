using System.Net;
using Pmcp.Actors.Hosting;
using Pmcp.Actors.Tests.Support;
using Pmcp.Actors.Transport;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Loopback;

/// <summary>
/// Who gets a place at the connection gate, over loopback: at <c>MaxConnections</c> the least recently active idle
/// session is evicted for a newcomer (an HTTP session's id then gets 404, a socket closes with 1013); one client
/// (an address; 127.0.0.2 is another) gets 429 with <c>Retry-After</c> past <c>MaxConnectionsPerClient</c> while
/// others still get in; an HTTP session whose client never comes back after initialize ends after <c>HandshakeTimeout</c>.
/// </summary>
public sealed class SessionAdmissionTests(ITestOutputHelper output)
{
    private const string InitializeBody = """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}""";

    [Fact]
    public async Task AtMaxConnections_TheLeastRecentlyActiveIdleSession_IsEvictedForANewcomer_OnBothTransports()
    {
        await using var server = await TestServer.StartAsync(configureOptions: o => o.MaxConnections = 2, output: output);
        await using var oldest = await McpHttpTestClient.ConnectAsync(server.McpHttpUri);
        await using var socket = await server.ConnectAsync();
        Assert.Equal("active", (await socket.CallToolAsync("echo", new { text = "active" })).ToolText()); // heard from after oldest

        await using var newcomer = await McpHttpTestClient.ConnectAsync(server.McpHttpUri); // evicts oldest

        using (var evicted = await oldest.PostAsync(oldest.Request("ping")))
            Assert.Equal(HttpStatusCode.NotFound, evicted.StatusCode);
        Assert.Equal("still here", (await socket.CallToolAsync("echo", new { text = "still here" })).ToolText());

        // Now the socket was heard from before the newcomer's last call: a second newcomer takes its place.
        Assert.Equal("newer", (await newcomer.CallToolAsync("echo", new { text = "newer" })).ToolText());
        await using var second = await server.ConnectAsync();
        var closed = await socket.WaitForCloseAsync();
        Assert.Equal(WebSocketConnection.EvictedStatus, closed.Status);
        Assert.Equal("evicted: the server is at its connection limit", closed.Description);
        (await newcomer.RequestAsync("ping")).EnsureSuccess();
        (await second.PingAsync()).EnsureSuccess();
        Assert.Equal(2, server.App.Services.GetRequiredService<McpServerRuntime>().Gate.Evicted);
    }

    [Fact]
    public async Task AtMaxConnections_AnIdleSessionThatNeverRanACall_IsEvictedBeforeOneAtWork_ThoughHeardFromLater()
    {
        await using var server = await TestServer.StartAsync(configureOptions: o => o.MaxConnections = 2, output: output);
        await using var worker = await server.ConnectAsync();
        Assert.Equal("working", (await worker.CallToolAsync("echo", new { text = "working" })).ToolText());
        await using var filler = await server.ConnectAsync(); // heard from after the worker's call, but never calls

        await using var newcomer = await server.ConnectAsync();

        var closed = await filler.WaitForCloseAsync();
        Assert.Equal(WebSocketConnection.EvictedStatus, closed.Status);
        Assert.Equal("still working", (await worker.CallToolAsync("echo", new { text = "still working" })).ToolText());
        (await newcomer.PingAsync()).EnsureSuccess();
    }

    [Fact]
    public async Task PastMaxConnectionsPerClient_TheClientGets429WithRetryAfter_OnBothTransports_AndAnotherAddressGetsIn()
    {
        await using var server = await TestServer.StartAsync(configureOptions: o => o.MaxConnectionsPerClient = 2, output: output);
        await using var first = await McpHttpTestClient.ConnectAsync(server.McpHttpUri);
        await using var second = await server.ConnectAsync();

        await using var third = new McpHttpTestClient(server.McpHttpUri);
        using var refused = await third.SendAsync(third.NewPost(InitializeBody, withSession: false));
        var (upgrade, upgradeHeaders) = await UpgradeProbe.TryUpgradeWithHeadersAsync(server.WebSocketUri);
        await using var elsewhere = new McpHttpTestClient(server.McpHttpUri, LoopbackSource.Other);
        await elsewhere.InitializeAsync();
        await using var elsewhereSocket = await server.ConnectAsync(from: LoopbackSource.Other);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(5), refused.Headers.RetryAfter?.Delta);
        Assert.Contains("MaxConnectionsPerClient", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.TooManyRequests, upgrade);
        Assert.Equal("5", Assert.Single(upgradeHeaders!["Retry-After"]));
        (await elsewhere.RequestAsync("ping")).EnsureSuccess();
        (await elsewhereSocket.PingAsync()).EnsureSuccess();

        Assert.Equal(HttpStatusCode.NoContent, await first.DeleteSessionAsync());
        await third.InitializeAsync(); // the client's place is free again at once
        (await third.RequestAsync("ping")).EnsureSuccess();
    }

    [Fact]
    public async Task AnHttpSessionWhoseClientNeverComesBackAfterInitialize_EndsAfterTheHandshakeTimeout()
    {
        await using var server = await TestServer.StartAsync(configureOptions: o => o.HandshakeTimeout = TimeSpan.FromMilliseconds(500), output: output);
        var gate = server.App.Services.GetRequiredService<McpServerRuntime>().Gate;
        await using var confirmed = await McpHttpTestClient.ConnectAsync(server.McpHttpUri); // sends notifications/initialized
        await using var abandoned = new McpHttpTestClient(server.McpHttpUri);
        using (var initialized = await abandoned.SendAsync(abandoned.NewPost(InitializeBody, withSession: false)))
            abandoned.SessionId = initialized.Headers.GetValues(McpHttpTestClient.SessionHeader).Single();
        Assert.Equal(2, gate.OpenConnections);

        await Deadline.UntilAsync(() => Task.FromResult(gate.OpenConnections == 1), () => $"the abandoned session to end ({gate.OpenConnections} open)");

        using (var expired = await abandoned.PostAsync(abandoned.Request("ping")))
            Assert.Equal(HttpStatusCode.NotFound, expired.StatusCode);
        (await confirmed.RequestAsync("ping")).EnsureSuccess();
    }
}
