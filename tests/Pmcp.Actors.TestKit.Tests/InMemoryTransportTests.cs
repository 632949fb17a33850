using Newtonsoft.Json.Linq;
using Pmcp.Actors.TestKit;
using Pmcp.Actors.Tools;
using Pmcp.Client;
using Pmcp.Protocol;
using Xunit;
using Xunit.Abstractions;

namespace Pmcp.Actors.TestKit.Tests;

/// <summary>An in-memory session keeps the rules a socket's session has: the server's close reaches the client with its reason, and it counts against the connection limit.</summary>
public sealed class InMemoryTransportTests(ITestOutputHelper output) : McpServerTestKit(output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    protected override void ConfigureServer(McpServerBuilder server) =>
        server.Tool("echo", (args, _) => Task.FromResult(CallToolResult.Text((string?)args["text"] ?? "")));

    protected override void ConfigureOptions(McpServerOptions options)
    {
        options.MaxConnections = 1;
        options.IdleTimeout = TimeSpan.FromSeconds(1);
    }

    [Fact]
    public async Task Client_TalksThroughChannels_NotASocket()
    {
        var client = await ConnectAsync();
        Assert.IsType<InMemoryTransport>(client.Transport);
        McpAssert.Text("hi", await client.CallToolAsync("echo", new JObject { ["text"] = "hi" }));
    }

    [Fact]
    public async Task ServerEndingTheSession_ReachesTheClient_WithTheReason()
    {
        var client = await ConnectAsync();
        var lost = new TaskCompletionSource<McpConnectionLostException>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Disconnected += (_, e) => lost.TrySetResult(e.Reason);

        // Idle for longer than IdleTimeout: the server closes the session as a normal end.
        var reason = await lost.Task.WaitAsync(Deadline);

        Assert.Contains("closed by the server (Normal", reason.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<McpConnectionLostException>(() => client.CallToolAsync("echo", new JObject { ["text"] = "late" }));
    }

    [Fact]
    public async Task InMemorySessions_CountAgainstMaxConnections_AndClosingGivesThePlaceBack()
    {
        var first = await ConnectAsync();

        var refused = await Assert.ThrowsAsync<McpConnectException>(() => ConnectAsync());
        Assert.Contains("connection limit (1)", refused.Message, StringComparison.Ordinal);

        await first.DisposeAsync();
        var deadline = DateTime.UtcNow + Deadline;
        McpClient? second = null;
        while (second is null)
        {
            try
            {
                second = await ConnectAsync();
            }
            catch (McpConnectException) when (DateTime.UtcNow < deadline)
            {
                // The server sees the first session end a moment after the client closes it.
                await Task.Delay(20);
            }
        }
        McpAssert.Text("again", await second.CallToolAsync("echo", new JObject { ["text"] = "again" }));
    }
}
