using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Time.Testing;
using Newtonsoft.Json.Linq;
using Pmcp.Client.Tests.Support;
using Pmcp.Protocol;

namespace Pmcp.Client.Tests;

/// <summary>Drops, dead peers, backoff, re-initialize, giving up.</summary>
public sealed class ReconnectTests : IAsyncLifetime
{
    private ScriptedServer _server = null!;

    public async Task InitializeAsync() => _server = await ScriptedServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private WebSocketConfig Config => new(_server.Url)
    {
        ReconnectDelay = TimeSpan.FromMilliseconds(50),
        MaxReconnectDelay = TimeSpan.FromMilliseconds(200),
        RequestTimeout = TimeSpan.FromSeconds(30),
        PingInterval = null,
    };

    private async Task<(McpClient Client, ScriptedConnection Connection, JObject Initialize)> ConnectAsync(WebSocketConfig config)
    {
        var client = new McpClient(config);
        client.SetRequestHandler(McpMethods.RootsList, (_, _) => Task.FromResult<JToken>(new JObject { ["roots"] = new JArray() }));
        var initializing = client.InitializeAsync(ClientCapabilities.Minimal());
        var (connection, initialize) = await _server.AcceptInitializedAsync();
        await initializing.Within("initialize");
        return (client, connection, initialize);
    }

    [Fact]
    public async Task DroppedConnection_FailsInFlightAtOnce_ThenReconnectsReinitializesAndServesCalls()
    {
        var (client, first, firstInitialize) = await ConnectAsync(Config);
        await using var _ = client;
        var events = new ClientEvents(client);
        var call = client.CallToolAsync("slow");
        await first.ExpectAsync(McpMethods.ToolsCall);

        var stopwatch = Stopwatch.StartNew();
        first.Drop();
        var lost = await Assert.ThrowsAsync<McpConnectionLostException>(() => call.Within("the in-flight call to fail"));
        var failedAfter = stopwatch.Elapsed;

        var disconnected = await events.NextAsync<McpDisconnectedEventArgs>();
        var reconnecting = await events.NextAsync<McpReconnectingEventArgs>();
        var (second, secondInitialize) = await _server.AcceptInitializedAsync();
        var reconnected = await events.NextAsync<McpReconnectedEventArgs>();

        Assert.True(failedAfter < TimeSpan.FromSeconds(5), $"the in-flight call failed after {failedAfter}, RequestTimeout is 30 s");
        Assert.Contains("'tools/call' request got no answer", lost.Message);
        Assert.True(disconnected.WillReconnect);
        Assert.Equal(1, reconnecting.Attempt);
        Assert.InRange(reconnecting.Delay, TimeSpan.FromMilliseconds(40), TimeSpan.FromMilliseconds(60));
        Assert.Equal(1, reconnected.Attempt);
        Assert.Equal(firstInitialize["params"]!["capabilities"], secondInitialize["params"]!["capabilities"]);
        Assert.NotNull(secondInitialize["params"]!["capabilities"]!["roots"]);
        Assert.Equal(McpClientState.Ready, client.State);
        Assert.Equal(2, client.Transport.ConnectionCount);

        var echo = client.CallToolAsync("echo");
        var request = await second.ExpectAsync(McpMethods.ToolsCall);
        await second.RespondAsync(request, new JObject { ["content"] = new JArray(new JObject { ["type"] = "text", ["text"] = "back" }) });
        Assert.Equal("back", Assert.IsType<TextContent>(Assert.Single((await echo.Within("the call after reconnecting")).Content)).Text);
    }

    [Fact]
    public async Task Reconnect_DoublesItsDelayWithJitter_AndGivesUpAfterMaxReconnectAttempts()
    {
        var clock = new FakeTimeProvider();
        var config = Config with
        {
            ReconnectDelay = TimeSpan.FromSeconds(1),
            MaxReconnectDelay = TimeSpan.FromSeconds(4),
            MaxReconnectAttempts = 4,
            TimeProvider = clock,
        };
        var (client, connection, _) = await ConnectAsync(config);
        await using var _ = client;
        var events = new ClientEvents(client);
        _server.RefuseUpgradesWith = StatusCodes503;

        connection.Drop();
        await events.NextAsync<McpDisconnectedEventArgs>();
        Task? waiting = null;
        double[] bases = [1, 2, 4, 4];
        for (var attempt = 1; attempt <= 4; attempt++)
        {
            var reconnecting = await events.NextAsync<McpReconnectingEventArgs>();
            Assert.Equal(attempt, reconnecting.Attempt);
            Assert.InRange(reconnecting.Delay.TotalSeconds, 0.8 * bases[attempt - 1], Math.Min(1.2 * bases[attempt - 1], 4));
            // No attempt is made before its delay has passed: the fake clock has not moved yet.
            Assert.Equal(attempt, _server.UpgradeAttempts);
            if (attempt == 1)
            {
                waiting = client.PingAsync();
                Assert.Equal(McpClientState.Reconnecting, client.State);
            }
            else
            {
                Assert.IsType<McpConnectException>(reconnecting.LastError);
            }
            clock.Advance(reconnecting.Delay);
        }

        var gaveUp = await events.NextAsync<McpGaveUpEventArgs>();
        Assert.Equal(4, gaveUp.FailedAttempts);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, Assert.IsType<McpConnectException>(gaveUp.LastError).StatusCode);
        Assert.Equal(5, _server.UpgradeAttempts);
        Assert.Equal(McpClientState.Closed, client.State);
        var ex = await Assert.ThrowsAsync<McpConnectionLostException>(() => waiting!.Within("the waiting request to fail"));
        Assert.Contains("Gave up reconnecting", ex.Message);
        await Assert.ThrowsAsync<McpConnectionLostException>(() => client.PingAsync());
        Assert.True(events.IsEmpty);
    }

    [Fact]
    public async Task Reconnect_GivesUpWithoutRetrying_WhenMaxReconnectAttemptsIsZero()
    {
        var (client, connection, _) = await ConnectAsync(Config with { MaxReconnectAttempts = 0 });
        await using var _ = client;
        var events = new ClientEvents(client);

        connection.Drop();

        Assert.True((await events.NextAsync<McpDisconnectedEventArgs>()).WillReconnect);
        var gaveUp = await events.NextAsync<McpGaveUpEventArgs>();
        Assert.Equal(0, gaveUp.FailedAttempts);
        Assert.IsType<McpConnectionLostException>(gaveUp.LastError);
        Assert.Equal(1, _server.UpgradeAttempts);
    }

    [Fact]
    public async Task Reconnect_GivesUpAtOnce_WhenServerRefusesTheUpgradeWith401()
    {
        var (client, connection, _) = await ConnectAsync(Config);
        await using var _ = client;
        var events = new ClientEvents(client);
        _server.RefuseUpgradesWith = 401;

        connection.Drop();

        await events.NextAsync<McpDisconnectedEventArgs>();
        await events.NextAsync<McpReconnectingEventArgs>();
        var gaveUp = await events.NextAsync<McpGaveUpEventArgs>();
        Assert.Equal(1, gaveUp.FailedAttempts);
        var refused = Assert.IsType<McpConnectException>(gaveUp.LastError);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.False(refused.IsRetryable);
    }

    [Fact]
    public async Task RequestMadeWhileReconnecting_WaitsForTheReconnect_AndGoesOutOnTheNewConnection()
    {
        var (client, first, _) = await ConnectAsync(Config);
        await using var _ = client;
        var events = new ClientEvents(client);

        first.Drop();
        await events.NextAsync<McpDisconnectedEventArgs>();
        var second = await _server.AcceptAsync();
        // The new socket is open but initialize is not answered yet: the client is still reconnecting.
        var initialize = await second.ExpectAsync(McpMethods.Initialize);
        Assert.Equal(McpClientState.Reconnecting, client.State);
        var call = client.CallToolAsync("echo");
        await second.RespondAsync(initialize, new JObject
        {
            ["protocolVersion"] = McpProtocolVersions.Latest,
            ["capabilities"] = new JObject(),
            ["serverInfo"] = new JObject { ["name"] = "scripted", ["version"] = "0.2" },
        });
        await second.ExpectAsync(McpMethods.Initialized);
        var request = await second.ExpectAsync(McpMethods.ToolsCall);
        await second.RespondAsync(request, new JObject { ["content"] = new JArray() });

        await call.Within("the call made while reconnecting");
        Assert.Equal("0.2", client.ServerInfo!.Version);
    }

    [Fact]
    public async Task RequestMadeWhileReconnecting_TimesOutWithoutBeingSent_WhenReconnectTakesLongerThanRequestTimeout()
    {
        var clock = new FakeTimeProvider();
        var config = Config with { RequestTimeout = TimeSpan.FromSeconds(5), ReconnectDelay = TimeSpan.FromSeconds(10), MaxReconnectDelay = TimeSpan.FromSeconds(10), TimeProvider = clock };
        var (client, connection, _) = await ConnectAsync(config);
        await using var _ = client;
        var events = new ClientEvents(client);

        connection.Drop();
        await events.NextAsync<McpDisconnectedEventArgs>();
        await events.NextAsync<McpReconnectingEventArgs>();
        var ping = client.PingAsync();
        clock.Advance(TimeSpan.FromSeconds(5));
        var ex = await Assert.ThrowsAsync<McpTimeoutException>(() => ping.Within("the ping to time out"));

        Assert.Contains("waiting for the client to reconnect", ex.Message);
        Assert.Equal(TimeSpan.FromSeconds(5), ex.Timeout);
        Assert.Equal(McpClientState.Reconnecting, client.State);
        Assert.Equal(1, _server.UpgradeAttempts);
    }

    [Fact]
    public async Task UnansweredPings_CountAsADroppedConnection_AndTheClientReconnects()
    {
        await using var silent = new SilentServer();
        var config = new WebSocketConfig(silent.Url)
        {
            PingInterval = TimeSpan.FromMilliseconds(200),
            PingTimeout = TimeSpan.FromMilliseconds(300),
            ReconnectDelay = TimeSpan.FromMilliseconds(50),
            RequestTimeout = TimeSpan.FromSeconds(30),
        };
        await using var client = await McpClient.ConnectAsync(config, ClientCapabilities.Minimal()).Within("initialize");
        var events = new ClientEvents(client);
        var stopwatch = Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<McpConnectionLostException>(() => client.PingAsync().Within("the unanswered ping request to fail"));

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"took {stopwatch.Elapsed}; RequestTimeout is 30 s");
        Assert.Contains("Pong", ex.Message);
        Assert.True((await events.NextAsync<McpDisconnectedEventArgs>()).WillReconnect);
        await events.NextAsync<McpReconnectingEventArgs>();
        await events.NextAsync<McpReconnectedEventArgs>();
        Assert.Equal(2, silent.Connections);
    }

    [Fact]
    public async Task RealServerRestart_FailsInFlightCallFast_AndClientComesBackOnItsOwn()
    {
        var port = Ports.Free();
        var server = await RealServer.StartAsync(port, o => o.DrainTimeout = TimeSpan.FromMilliseconds(100));
        RealServer? restarted = null;
        try
        {
            var config = new WebSocketConfig(server.Url)
            {
                ReconnectDelay = TimeSpan.FromMilliseconds(100),
                MaxReconnectDelay = TimeSpan.FromMilliseconds(400),
                RequestTimeout = TimeSpan.FromSeconds(30),
            };
            await using var client = await McpClient.ConnectAsync(config, ClientCapabilities.Minimal()).Within("initialize");
            var events = new ClientEvents(client);
            var call = client.CallToolAsync("sleep", new JObject { ["ms"] = 60_000 });
            await client.PingAsync().Within("a ping, answered after the server has read the call");

            var stopwatch = Stopwatch.StartNew();
            await server.StopAsync();
            var lost = await Assert.ThrowsAsync<McpConnectionLostException>(() => call.Within("the in-flight call to fail"));
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"failed after {stopwatch.Elapsed}");
            Assert.Contains("1001", lost.Message);
            Assert.True((await events.NextAsync<McpDisconnectedEventArgs>()).WillReconnect);

            restarted = await RealServer.StartAsync(port);
            var upAgain = Stopwatch.StartNew();
            McpReconnectedEventArgs? reconnected = null;
            while (reconnected is null)
            {
                var next = await events.NextAsync<EventArgs>();
                if (next is McpReconnectedEventArgs r) reconnected = r;
                else Assert.IsType<McpReconnectingEventArgs>(next);
            }

            // Back within one capped backoff delay (400 ms + jitter) plus the handshake.
            Assert.True(upAgain.Elapsed < TimeSpan.FromSeconds(5), $"reconnected {upAgain.Elapsed} after the restart");
            var echo = await client.CallToolAsync("echo", new JObject { ["text"] = "again" }).Within("echo after the restart");
            Assert.Equal("again", Assert.IsType<TextContent>(Assert.Single(echo.Content)).Text);
            Assert.Equal("test", client.ServerInfo!.Name);
        }
        finally
        {
            await server.DisposeAsync();
            if (restarted is not null) await restarted.DisposeAsync();
        }
    }

    [Fact]
    public async Task WebSocketTransport_ConnectAsync_MakesMaxReconnectAttemptsInAll_ThenThrows_LikeTheSeed()
    {
        _server.RefuseUpgradesWith = 503;
        await using var retrying = new WebSocketTransport(Config with { MaxReconnectAttempts = 3, ReconnectDelay = TimeSpan.FromMilliseconds(10) });

        var ex = await Assert.ThrowsAsync<McpConnectException>(() => retrying.ConnectAsync().Within("connect with retries"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ex.StatusCode);
        Assert.Equal(3, _server.UpgradeAttempts);

        await using var once = new WebSocketTransport(Config with { AutoReconnect = false });
        await Assert.ThrowsAsync<McpConnectException>(() => once.ConnectAsync().Within("connect once"));
        Assert.Equal(4, _server.UpgradeAttempts);
    }

    [Fact]
    public async Task WebSocketTransport_ConnectAsync_RetriesUntilTheServerAccepts()
    {
        _server.RefuseNext(2, 503);
        var config = Config with { ReconnectDelay = TimeSpan.FromMilliseconds(10), MaxReconnectDelay = TimeSpan.FromMilliseconds(20) };
        await using var transport = new WebSocketTransport(config);

        await transport.ConnectAsync().Within("connect");

        Assert.True(transport.IsConnected);
        Assert.Equal(3, _server.UpgradeAttempts);
    }

    [Fact]
    public async Task WebSocketTransport_ConnectAsync_ThrowsConnectException_WhenNothingListens()
    {
        await using var transport = new WebSocketTransport(new WebSocketConfig($"ws://127.0.0.1:{Ports.Free()}/mcp") { AutoReconnect = false });

        var ex = await Assert.ThrowsAsync<McpConnectException>(() => transport.ConnectAsync().Within("connect"));

        Assert.True(ex.IsRetryable);
        Assert.Null(ex.StatusCode);
        Assert.Contains("refused", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    private const int StatusCodes503 = 503;
}
