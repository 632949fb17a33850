using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;
using Pmcp.Actors.Benchmarks.Load;

namespace Pmcp.Actors.Benchmarks.Harness;

/// <summary>
/// What one large call costs the standalone server's garbage collector (issue 30: clients pipelining 256 KB calls made
/// the whole server collect): one WebSocket client calls <c>echo</c> with a text of the given size, one call at a time,
/// and the server's own allocation events (<c>GCAllocationTick</c>, read over EventPipe) give the bytes it put on the
/// large object heap per call, by type, and its gen2 collections. The first calls warm the server (its pools, its JIT)
/// and are not counted.
/// </summary>
internal sealed class LargeCallScenario(string pmcpDll, int textBytes, int calls, TextWriter log)
{
    private const int WarmupCalls = 20;

    public async Task<int> RunAsync()
    {
        var settings = new HarnessSettings { PmcpDll = pmcpDll };
        var (server, url) = await Servers.StartAsync(ServerKind.Pmcp, settings).ConfigureAwait(false);
        await using (server.ConfigureAwait(false))
        {
            using var socket = WsLoadClient.NewSocket();
            var buffer = new byte[4096];
            await WsLoadClient.Handshake(socket, url, buffer, CancellationToken.None).ConfigureAwait(false);
            var call = Encoding.UTF8.GetBytes("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"" +
                                              new string('x', textBytes) + "\"}}}");
            for (var i = 0; i < WarmupCalls; i++) await CallAsync(socket, call).ConfigureAwait(false);

            var watch = AllocationWatch.Start(server.Pid, GCAllocationKind.Large);
            for (var i = 0; i < calls; i++) await CallAsync(socket, call).ConfigureAwait(false);
            var seen = await watch.StopAsync().ConfigureAwait(false);
            var (large, byType, gen2) = (seen.Bytes, seen.ByType, seen.Collections[2]);

            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{pmcpDll}: {calls} echo calls of {textBytes / 1024} KB over WebSocket: large object heap {large / calls / 1024} KB a call " +
                $"({string.Join(", ", byType.OrderByDescending(t => t.Value).Select(t => $"{t.Key} {t.Value / calls / 1024} KB"))}), {gen2} gen2 collections"));
            return 0;
        }
    }

    /// <summary>Sends one call and reads its whole answer.</summary>
    private static async Task CallAsync(ClientWebSocket socket, byte[] call)
    {
        await socket.SendAsync(call, WebSocketMessageType.Text, true, CancellationToken.None).ConfigureAwait(false);
        var buffer = new byte[64 * 1024];
        ValueWebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close) throw new WebSocketException("the server closed the socket");
        }
        while (!result.EndOfMessage);
    }
}
