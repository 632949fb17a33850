using System.Net;
using System.Net.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using Pmcp.Actors.Hosting;
using Pmcp.Actors.Tests.Support;
using Pmcp.Actors.Transport;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Robustness.Hostile;

/// <summary>
/// One client trying to take the server's capacity, from 127.0.0.1, with the canary on 127.0.0.2: initialize requests
/// nobody follows up (the default limits: 429 past 300 starts a minute, and the sessions end after HandshakeTimeout),
/// and sockets opened and left idle (429 past the client's cap; with no cap, evicted for a newcomer, never the canary). Each probe has a
/// server of its own: the flood uses up 127.0.0.1's session starts for a minute.
/// </summary>
[Collection(HostileCollection.Name)]
public sealed class SessionFloodProbes(ITestOutputHelper output)
{
    private const string InitializeBody = """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"flood","version":"1"}}}""";

    // The sessions the canary (WebSocket and HTTP) holds.
    private const int CanarySessions = 2;

    [Fact]
    public async Task InitializeFlood_FromOneAddress_Gets429PastItsStarts_AnotherAddressGetsASessionAtOnce_AndTheFloodExpires()
    {
        await using var server = await TestServer.StartAsync();
        var gate = server.App.Services.GetRequiredService<McpServerRuntime>().Gate;
        var starts = server.Options.MaxUpgradesPerWindow;
        await Probe.BesideCanaryAsync(server, output, async () =>
        {
            using var flooder = new HttpClient();
            var statuses = new List<HttpStatusCode>();
            var retryAfter = new List<TimeSpan?>();
            var sent = 0;
            await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
            {
                while (Interlocked.Increment(ref sent) <= starts + 60)
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, server.McpHttpUri) { Content = new StringContent(InitializeBody, System.Text.Encoding.UTF8, "application/json") };
                    request.Headers.Accept.ParseAdd("application/json, text/event-stream");
                    using var response = await flooder.SendAsync(request);
                    lock (statuses)
                    {
                        statuses.Add(response.StatusCode);
                        if (response.StatusCode == HttpStatusCode.TooManyRequests) retryAfter.Add(response.Headers.RetryAfter?.Delta);
                    }
                }
            }));

            Assert.Equal(starts, statuses.Count(s => s == HttpStatusCode.OK));
            Assert.Equal(60, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
            Assert.All(retryAfter, r => Assert.InRange(r ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1)));

            // Another address gets a session at once, while the flood's sessions still hold their places.
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await using var elsewhere = new McpHttpTestClient(server.McpHttpUri, LoopbackSource.Other);
            await elsewhere.InitializeAsync();
            Assert.True(clock.Elapsed < Canary.SlowestAllowed, $"a session from another address took {clock.Elapsed.TotalMilliseconds:0} ms");
            (await elsewhere.RequestAsync("ping")).EnsureSuccess();

            // Nothing needs the idle timeout (10 minutes) to recover: never followed up, the flood's sessions end after the handshake timeout.
            await Deadline.UntilAsync(() => Task.FromResult(gate.OpenConnections <= CanarySessions + 1),
                () => $"the flood's sessions to expire ({gate.OpenConnections} places held)", server.Options.HandshakeTimeout + TimeSpan.FromSeconds(20));
        }, canaryFrom: LoopbackSource.Other);
    }

    [Fact]
    public async Task IdleSocketsFromOneAddress_StopAtTheClientsCap_AndAnotherAddressGetsIn()
    {
        // The default caps scaled down (10,000 places, 500 per client) to what a loaded CI box opens in seconds.
        await using var server = await TestServer.StartAsync(configureOptions: o =>
        {
            o.MaxConnections = 60;
            o.MaxConnectionsPerClient = 30;
        });
        var sockets = new List<McpTestClient>();
        try
        {
            await Probe.BesideCanaryAsync(server, output, async () =>
            {
                while (sockets.Count < server.Options.MaxConnectionsPerClient) sockets.Add(await server.ConnectAsync());
                var (refused, headers) = await UpgradeProbe.TryUpgradeWithHeadersAsync(server.WebSocketUri);
                await using var elsewhere = await server.ConnectAsync(from: LoopbackSource.Other);

                Assert.Equal(HttpStatusCode.TooManyRequests, refused);
                Assert.NotNull(headers?["Retry-After"]);
                (await elsewhere.PingAsync()).EnsureSuccess();
                Assert.All(sockets, s => Assert.Equal(WebSocketState.Open, s.State));
            }, canaryFrom: LoopbackSource.Other);
        }
        finally
        {
            foreach (var socket in sockets) await socket.DisposeAsync();
        }
    }

    [Fact]
    public async Task IdleSocketsFillingTheServer_WithNoClientCap_AreEvictedForANewcomer_AndTheCanaryIsNot()
    {
        // As the benchmark runs it (one loopback client, no per-client cap): the server full of idle sockets.
        await using var server = await TestServer.StartAsync(configureOptions: o =>
        {
            o.MaxConnections = 40;
            o.MaxConnectionsPerClient = 0;
        });
        var gate = server.App.Services.GetRequiredService<McpServerRuntime>().Gate;
        var sockets = new List<McpTestClient>();
        try
        {
            await Probe.BesideCanaryAsync(server, output, async () =>
            {
                while (sockets.Count < server.Options.MaxConnections - CanarySessions) sockets.Add(await server.ConnectAsync());
                Assert.Equal(server.Options.MaxConnections, gate.OpenConnections);

                await using var newcomer = await server.ConnectAsync(from: LoopbackSource.Other);

                (await newcomer.PingAsync()).EnsureSuccess();
                // The canary's sessions are idle between their calls too, and on a loaded machine the server may have
                // heard from them before the last idle socket opened: sessions that never ran a call go first, so the
                // one evicted is the first-opened idle socket, whatever the scheduling.
                var closed = await sockets[0].WaitForCloseAsync();
                Assert.Equal(WebSocketConnection.EvictedStatus, closed.Status);
                Assert.Equal(1, gate.Evicted);
                Assert.All(sockets.Skip(1), s => Assert.Equal(WebSocketState.Open, s.State));
            }, canaryFrom: LoopbackSource.Other);
        }
        finally
        {
            foreach (var socket in sockets) await socket.DisposeAsync();
        }
    }
}
