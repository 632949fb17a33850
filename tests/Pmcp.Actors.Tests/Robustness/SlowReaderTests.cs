using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using Akka.Actor;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Runtime;
using Pmcp.Actors.Tests.Support;
using Pmcp.Protocol;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Robustness;

public sealed class SlowReaderTests(ITestOutputHelper output)
{
    private const int Requests = 400;
    private const int BlobChars = 60_000;

    [Fact]
    public async Task SlowReader_IsClosedWith1008OrAborted_WhenItFloodsRequestsAndNeverReads_AndOtherClientsGoOn()
    {
        // 1000 answers of 32 KB are 32 MB: far more than the socket buffers (the peer's is 16 KB) and a queue of 8 hold.
        await using var server = await TestServer.StartAsync(
            mcp => mcp.Tool("blob", (_, _) => Task.FromResult(CallToolResult.Text(new string('x', BlobChars)))),
            o =>
            {
                o.OutboundQueueCapacity = 8;
                o.CloseTimeout = TimeSpan.FromSeconds(1);
            },
            output);
        using var peer = await RawWebSocketPeer.ConnectAsync(server.WebSocketUri, receiveBufferSize: 16 * 1024);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        // The session is up (its actor exists) once the ping after initialize is answered.
        await peer.SendTextBurstAsync(
            [
                """{"jsonrpc":"2.0","id":"init","method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"slow","version":"1"}}}""",
                """{"jsonrpc":"2.0","method":"notifications/initialized"}""",
                """{"jsonrpc":"2.0","id":"ready","method":"ping"}""",
            ],
            cts.Token);
        while (await peer.ReadTextAsync(cts.Token) is { } text && !text.Contains("\"ready\"", StringComparison.Ordinal))
        {
        }

        var stats = await server.ActorSystem.ActorSelection("/user/pmcp").Ask<McpServerProtocol.Stats>(McpServerProtocol.GetStats.Instance, Deadline.Default);
        Assert.Equal(1, stats.Connections);
        var slowActor = (await server.ActorSystem.ActorSelection($"/user/pmcp/connection-{stats.ConnectionsOpened}")
            .Ask<ActorIdentity>(new Identify(null), Deadline.Default)).Subject ?? throw new InvalidOperationException("the slow reader's actor is missing");
        var inbox = Inbox.Create(server.ActorSystem);
        inbox.Watch(slowActor);

        await using var bystander = await server.ConnectAsync();
        var clock = Stopwatch.StartNew();

        await peer.SendTextBurstAsync(
            Enumerable.Range(1, Requests).Select(i => $$$"""{"jsonrpc":"2.0","id":{{{i}}},"method":"tools/call","params":{"name":"blob"}}"""),
            cts.Token);

        output.WriteLine($"[{DateTime.UtcNow:HH:mm:ss.fff}] flood of {Requests} calls written");

        // While the flood backs up, the bystander is served.
        var gone = inbox.ReceiveAsync(TimeSpan.FromSeconds(20));
        var echoes = 0;
        for (; echoes < 50 && !gone.IsCompleted; echoes++)
        {
            Assert.Equal($"echo {echoes}", (await bystander.CallToolAsync("echo", new { text = $"echo {echoes}" })).ToolText());
        }

        Assert.IsType<Terminated>(await gone);
        output.WriteLine($"slow reader's session ended after {clock.ElapsedMilliseconds} ms; the bystander made {echoes} calls meanwhile");

        // What the peer finds when it reads at last: some answers, then the close frame (1008) or the end of the stream.
        var answers = 0;
        string ending;
        try
        {
            while (true)
            {
                var frame = await peer.ReadFrameAsync(cts.Token);
                if (frame is null)
                {
                    ending = "end of stream";
                    break;
                }

                if (frame.Value.Opcode == RawWebSocketPeer.OpClose)
                {
                    var status = BinaryPrimitives.ReadUInt16BigEndian(frame.Value.Payload);
                    Assert.Equal(1008, status);
                    ending = "close 1008";
                    break;
                }

                if (frame.Value.Opcode == RawWebSocketPeer.OpText)
                {
                    answers++;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException)
        {
            ending = "reset: " + ex.Message;
        }

        output.WriteLine($"the peer read {answers} of {Requests} answers, then: {ending}");
        Assert.True(answers < Requests, "every answer was delivered: the queue bound was never reached");

        // The server still serves: the bystander and a newcomer.
        Assert.Equal("after", (await bystander.CallToolAsync("echo", new { text = "after" })).ToolText());
        await using var newcomer = await server.ConnectAsync();
        Assert.Equal("new", (await newcomer.CallToolAsync("echo", new { text = "new" })).ToolText());
        var after = await server.ActorSystem.ActorSelection("/user/pmcp").Ask<McpServerProtocol.Stats>(McpServerProtocol.GetStats.Instance, Deadline.Default);
        Assert.Equal(2, after.Connections);
    }
}
