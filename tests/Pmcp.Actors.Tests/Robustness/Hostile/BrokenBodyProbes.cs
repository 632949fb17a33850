using System.Net.Sockets;
using Pmcp.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Robustness.Hostile;

/// <summary>
/// Streamable HTTP bodies that cannot be a message get a 4xx and the connection is closed, never 200 with an empty body:
/// 400 for broken chunked framing, 408 for a body slower than Kestrel's minimum data rate or stalled short of its
/// Content-Length, 413 past <c>MaxMessageBytes</c>.
/// </summary>
[Collection(HostileCollection.Name)]
public sealed class BrokenBodyProbes(HostileServer hostile, ITestOutputHelper output) : IClassFixture<HostileServer>
{
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(20);

    private Uri Mcp => hostile.Server.McpHttpUri;

    [Fact]
    public Task MalformedChunkedBody_Gets400() => Probe.BesideCanaryAsync(hostile.Server, output, async () =>
    {
        using var tcp = await RawHttp.ConnectAsync(Mcp);
        await RawHttp.SendAsync(tcp, RawHttp.PostHead(Mcp, "Transfer-Encoding: chunked") + "zz\r\n{\"jsonrpc\"\r\n0\r\n\r\n");

        var response = await RawHttp.ReadUntilClosedAsync(tcp, AnswerTimeout);

        Assert.Equal(400, RawHttp.StatusOf(response));
        Assert.Contains("The request body is malformed or incomplete", response, StringComparison.Ordinal);
    });

    [Fact]
    public Task BodyThatStopsShortOfItsContentLength_Gets408() => Probe.BesideCanaryAsync(hostile.Server, output, async () =>
    {
        using var tcp = await RawHttp.ConnectAsync(Mcp);
        await RawHttp.SendAsync(tcp, RawHttp.PostHead(Mcp, "Content-Length: 100") + "{\"jsonrpc\":\"2.0\",\"id\":1,");

        // Nothing more comes: to the server a stalled body is one slower than the minimum rate.
        var response = await RawHttp.ReadUntilClosedAsync(tcp, AnswerTimeout);

        Assert.Equal(408, RawHttp.StatusOf(response));
    });

    [Fact]
    public Task BodyCutShortByAClientThatHangsUp_IsNotAnswered200() => Probe.BesideCanaryAsync(hostile.Server, output, async () =>
    {
        using var tcp = await RawHttp.ConnectAsync(Mcp);
        await RawHttp.SendAsync(tcp, RawHttp.PostHead(Mcp, "Content-Length: 100") + "{\"jsonrpc\":\"2.0\",\"id\":1,");
        var answer = RawHttp.ReadUntilClosedAsync(tcp, AnswerTimeout);
        tcp.Client.Shutdown(SocketShutdown.Send); // done sending, 75 bytes short

        // Kestrel ends an HTTP/1.1 connection whose client has shut down its side, so there is nobody to send the 400
        // to; what matters is that no success goes out for a message that never arrived.
        var response = await answer;

        Assert.DoesNotContain("HTTP/1.1 2", response, StringComparison.Ordinal);
    });

    [Fact]
    public Task BodySlowerThanTheMinimumDataRate_Gets408() => Probe.BesideCanaryAsync(hostile.Server, output, async () =>
    {
        using var tcp = await RawHttp.ConnectAsync(Mcp);
        const string Body = """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"slow","version":"1"}}}""";
        await RawHttp.SendAsync(tcp, RawHttp.PostHead(Mcp, "Content-Length: " + Body.Length));
        var answer = RawHttp.ReadUntilClosedAsync(tcp, AnswerTimeout);

        // One byte a second, far below 240 bytes/s: Kestrel gives up once its grace period is over.
        var sent = 0;
        while (!answer.IsCompleted && sent < Body.Length)
        {
            try
            {
                await RawHttp.SendAsync(tcp, Body[sent++].ToString());
            }
            catch (IOException)
            {
                break; // the server closed the connection: its answer is read below
            }
            await Task.WhenAny(answer, Task.Delay(TimeSpan.FromSeconds(1))); // the attacker's pace
        }
        var response = await answer;

        Assert.Equal(408, RawHttp.StatusOf(response));
        Assert.Contains("came more slowly than the server's minimum data rate", response, StringComparison.Ordinal);
        Assert.True(sent < 30, $"the server waited for {sent} bytes");
    });

    [Fact]
    public Task BodyPastMaxMessageBytes_Gets413_BeforeItIsSent() => Probe.BesideCanaryAsync(hostile.Server, output, async () =>
    {
        using var tcp = await RawHttp.ConnectAsync(Mcp);
        await RawHttp.SendAsync(tcp, RawHttp.PostHead(Mcp, $"Content-Length: {hostile.Server.Options.MaxMessageBytes + 1}"));

        var response = await RawHttp.ReadHeadAsync(tcp, AnswerTimeout);

        Assert.Equal(413, RawHttp.StatusOf(response));
    });
}
