using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using Pmcp.Actors.Hosting;
using Pmcp.Actors.Messages;
using Pmcp.Actors.Tests.Support;
using Pmcp.Protocol;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Robustness.Hostile;

/// <summary>
/// 5,000 long calls over 50 sockets, then every socket reset (issue 30, item 5): each socket runs
/// <c>MaxInFlightCallsPerConnection</c> of its calls and holds the rest back; the resets cancel every running call,
/// drop every held one, and give every place back, while the canary beside them loses nothing.
/// </summary>
[Collection(HostileCollection.Name)]
public sealed class ResetProbes(ITestOutputHelper output)
{
    private const int Sockets = 50;
    private const int CallsEach = 100;

    [Fact]
    public async Task FiveThousandLongCallsOverFiftySockets_ThenEverySocketReset_EndEveryCall_AndGiveEveryPlaceBack()
    {
        var running = 0;
        var started = 0;
        await using var server = await TestServer.StartAsync(mcp => mcp.Tool("long", async (_, ctx) =>
        {
            Interlocked.Increment(ref started);
            Interlocked.Increment(ref running);
            try
            {
                await Task.Delay(Timeout.Infinite, ctx.CancellationToken);
                return CallToolResult.Text("never");
            }
            finally
            {
                Interlocked.Decrement(ref running);
            }
        }));
        var gate = server.App.Services.GetRequiredService<McpServerRuntime>().Gate;
        var limit = server.Options.MaxInFlightCallsPerConnection;
        await Probe.BesideCanaryAsync(server, output, async () =>
        {
            var placesBefore = gate.OpenConnections;
            var peers = new List<RawWebSocketPeer>();
            try
            {
                for (var i = 0; i < Sockets; i++)
                {
                    var peer = await RawWebSocketPeer.ConnectAsync(server.WebSocketUri);
                    peers.Add(peer);
                    await peer.SendTextBurstAsync(
                        [
                            """{"jsonrpc":"2.0","id":"init","method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"resets","version":"1"}}}""",
                            """{"jsonrpc":"2.0","method":"notifications/initialized"}""",
                            .. Enumerable.Range(1, CallsEach).Select(n => $$$"""{"jsonrpc":"2.0","id":{{{n}}},"method":"tools/call","params":{"name":"long"}}"""),
                        ],
                        CancellationToken.None);
                }

                // Each socket at its in-flight limit: the rest of its calls are held back, unread or queued.
                await Deadline.UntilAsync(() => Task.FromResult(Volatile.Read(ref running) == Sockets * limit),
                    () => $"every socket to run {limit} calls ({Volatile.Read(ref running)} running)", TimeSpan.FromSeconds(60));
            }
            finally
            {
                foreach (var peer in peers) peer.Reset();
            }

            await Deadline.UntilAsync(() => Task.FromResult(Volatile.Read(ref running) == 0 && gate.OpenConnections == placesBefore),
                () => $"the calls to end and the places to come back ({Volatile.Read(ref running)} running, {gate.OpenConnections - placesBefore} places held)", TimeSpan.FromSeconds(60));
            var workers = await server.ActorSystem.ActorSelection("/user/pmcp-tools").Ask<ToolRouterProtocol.WorkerCount>(ToolRouterProtocol.GetWorkerCount.Instance, Deadline.Default);
            output.WriteLine($"{Volatile.Read(ref started)} of {Sockets * CallsEach} calls started before the resets; {workers.Count} still counted by the router");
            Assert.InRange(Volatile.Read(ref started), Sockets * limit, Sockets * CallsEach);
            await Deadline.UntilAsync(async () => (await server.ActorSystem.ActorSelection("/user/pmcp-tools").Ask<ToolRouterProtocol.WorkerCount>(ToolRouterProtocol.GetWorkerCount.Instance, Deadline.Default)).Count == 0,
                () => "the router to count no call running", TimeSpan.FromSeconds(30));
        }, canaryFrom: LoopbackSource.Other);
    }
}
