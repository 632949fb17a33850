using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Hosting;
using Pmcp.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Robustness.Hostile;

/// <summary>
/// 2026-07-28 requests (each its own POST, no session) whose clients never read their answers: each answer counts in
/// the server's outbound byte sum (<c>MaxOutboundBytesTotal</c>) until it is written, so once the requests hold more
/// than the server allows, the ones holding the most are cut (their POSTs aborted, their places given back) and the
/// server's memory stays within a bound, where answers counted only while queued let each request hold its answer for
/// as long as its client stayed connected.
/// </summary>
[Collection(HostileCollection.Name)]
public sealed class ModernNeverReadingProbes(ITestOutputHelper output)
{
    private const int Requests = 40;

    /// <summary>The server's sum for this probe, set below its 256 MB default so that the requests pass it well within the client's cap.</summary>
    private const long ServerBudget = 12L * 1024 * 1024;

    /// <summary>
    /// The stated bound on the process's memory growth while the requests are made and wait (docs/security.md): the
    /// server's sum bounds the answers held; the rest is the answers being made (each built, serialized and encoded:
    /// garbage the GC collects when it runs). Measured: +101 to +127 MiB in four runs (160 requests against a 64 MB budget: +233 to +291 MiB). Nothing forces a
    /// collection while the canary runs: a full blocking one stops the whole process, the server and its canary too.
    /// </summary>
    private const long PeakGrowthBound = 256L * 1024 * 1024;

    [Fact]
    public async Task ManyModernRequestsWithLargeAnswersNeverRead_AreCutByTheServersBudget_AndMemoryStaysBounded()
    {
        await using var server = await LargeAnswerServer.StartAsync(o => o.MaxOutboundBytesTotal = ServerBudget);
        var runtime = server.App.Services.GetRequiredService<McpServerRuntime>();
        var budget = runtime.OutboundBudget;
        var gate = runtime.Gate;
        await Probe.BesideCanaryAsync(server, output, async () =>
        {
            var clients = new List<TcpClient>();
            WorkingSetPeak? memory = null;
            try
            {
                memory = new WorkingSetPeak().Start();
                var placesBefore = gate.OpenConnections;
                for (var i = 0; i < Requests; i++) clients.Add(await StartNeverReadingAsync(server.McpHttpUri, i));

                // Settled: every request has reached the server and is either cut by the server's budget or holds its
                // answer, counted. (Sending a request is not its arrival: on a busy machine some were still on their way
                // when the first had settled, and one more place taken after the check read as one too many held.)
                int Held() => gate.OpenConnections - placesBefore;
                await Deadline.UntilAsync(() => Task.FromResult(budget.Cut > 0 && budget.Cut + Held() == Requests && !budget.IsRelieving && budget.Queued <= budget.Budget && budget.Queued >= Held() * LargeAnswerServer.AnswerBytes),
                    () => $"the server's budget to cut requests (cut {budget.Cut}, {budget.Queued / 1048576} MiB counted, {Held()} requests held)",
                    TimeSpan.FromSeconds(90));
                await memory.StopAsync();

                output.WriteLine($"{budget.Cut} of {Requests} requests cut by the server's budget, {Held()} still waiting with {budget.Queued / 1048576} MiB counted; " +
                                 $"peak memory growth {memory.Growth / 1048576} MiB");
                Assert.True(Held() * LargeAnswerServer.AnswerBytes <= budget.Budget, $"{Held()} requests hold their answers, more than the server's budget allows");
                Assert.True(memory.Growth < PeakGrowthBound, $"memory grew {memory.Growth / 1048576} MiB (bound {PeakGrowthBound / 1048576} MiB)");
            }
            finally
            {
                if (memory is not null) await memory.StopAsync();
                foreach (var client in clients) client.Dispose();
            }
            // The requests not cut end when their clients go away: their places come back, nothing stays counted.
            await Deadline.UntilAsync(() => Task.FromResult(budget.Queued == 0),
                () => $"the requests' bytes to leave the server's sum ({budget.Queued} bytes)", TimeSpan.FromSeconds(30));
        }, canaryFrom: LoopbackSource.Other);
    }

    /// <summary>A 2026-07-28 call of <c>blob</c> on a socket with a small receive buffer that is never read.</summary>
    private static async Task<TcpClient> StartNeverReadingAsync(Uri uri, int index)
    {
        var body = new JObject
        {
            ["jsonrpc"] = "2.0",
            ["id"] = index,
            ["method"] = "tools/call",
            ["params"] = new JObject
            {
                ["name"] = "blob",
                ["_meta"] = new JObject
                {
                    ["io.modelcontextprotocol/protocolVersion"] = "2026-07-28",
                    ["io.modelcontextprotocol/clientCapabilities"] = new JObject(),
                    ["io.modelcontextprotocol/clientInfo"] = new JObject { ["name"] = "never-reads", ["version"] = "1" },
                },
            },
        }.ToString(Newtonsoft.Json.Formatting.None);
        var tcp = new TcpClient { NoDelay = true, ReceiveBufferSize = 16 * 1024 };
        await tcp.ConnectAsync(uri.Host, uri.Port);
        await RawHttp.SendAsync(tcp,
            $"POST {uri.AbsolutePath} HTTP/1.1\r\nHost: {uri.Authority}\r\nAccept: application/json, text/event-stream\r\nContent-Type: application/json\r\n" +
            $"MCP-Protocol-Version: 2026-07-28\r\nMcp-Method: tools/call\r\nMcp-Name: blob\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n" + body);
        return tcp;
    }

}
