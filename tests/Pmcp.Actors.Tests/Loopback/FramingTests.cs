using System.Net.WebSockets;
using Pmcp.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Loopback;

public sealed class FramingTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Socket_IsClosedWith1009_WhenMessageExceedsMaxMessageBytes()
    {
        await using var server = await TestServer.StartAsync(configureOptions: o => o.MaxMessageBytes = 1024, output: output);
        await using var client = await server.ConnectAsync();

        var big = await client.StartToolCallAsync("echo", new { text = new string('x', 2000) });

        var closed = await client.WaitForCloseAsync();
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, closed.Status);
        Assert.False(big.Response.IsCompletedSuccessfully, "the oversized call was answered");
    }

    [Fact]
    public async Task Socket_AnswersMessage_WhenItIsJustUnderMaxMessageBytes()
    {
        await using var server = await TestServer.StartAsync(configureOptions: o => o.MaxMessageBytes = 1024, output: output);
        await using var client = await server.ConnectAsync();
        const string envelope = """{"jsonrpc":"2.0","id":"fits","method":"tools/call","params":{"name":"echo","arguments":{"text":""}}}""";
        var text = new string('y', 1024 - envelope.Length);
        var response = client.ExpectResponse("fits");

        await client.SendTextAsync(envelope.Replace("\"text\":\"\"", $"\"text\":\"{text}\"", StringComparison.Ordinal));

        Assert.Equal(text, (await response.Within(Deadline.Default, "the echo of a 1024-byte message")).ToolText());
    }

    /// <summary>
    /// Messages are parsed from the frame's bytes when they are strict JSON, and read as text otherwise (large ones
    /// here, as when that was done only past a size): the answers are the same either way, for a valid call, one in JSON that only the
    /// lenient reader takes, and one JSON-RPC refuses.
    /// </summary>
    [Fact]
    public async Task LargeMessages_AreAnsweredAsSmallOnesAre_WhicheverReaderTakesThem()
    {
        await using var server = await TestServer.StartAsync(output: output);
        await using var client = await server.ConnectAsync();
        var text = string.Concat(Enumerable.Repeat("large ünïcödé € ", 8_000)); // about 150 KB of UTF-8
        var strict = client.ExpectResponse("strict");
        var lenient = client.ExpectResponse("lenient");
        var refused = client.ExpectResponse("refused");

        await client.SendTextAsync("{\"jsonrpc\":\"2.0\",\"id\":\"strict\",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"" + text + "\"}}}");
        await client.SendTextAsync("{'jsonrpc':'2.0','id':'lenient','method':'tools/call','params':{'name':'echo','arguments':{'text':'" + text + "'}},}");
        await client.SendTextAsync("{\"jsonrpc\":\"1.0\",\"id\":\"refused\",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"" + text + "\"}}}");

        Assert.Equal(text, (await strict.Within(Deadline.Default, "the answer to the large strict message")).ToolText());
        Assert.Equal(text, (await lenient.Within(Deadline.Default, "the answer to the large lenient message")).ToolText());
        Assert.Equal(-32600, (await refused.Within(Deadline.Default, "the answer to the large refused message")).ErrorCode);
    }

    [Fact]
    public async Task Socket_IsClosedWith1003_WhenClientSendsBinaryFrame()
    {
        await using var server = await TestServer.StartAsync(output: output);
        await using var client = await server.ConnectAsync();

        await client.SendBinaryAsync("""{"jsonrpc":"2.0","id":1,"method":"ping"}"""u8.ToArray());

        var closed = await client.WaitForCloseAsync();
        Assert.Equal(WebSocketCloseStatus.InvalidMessageType, closed.Status);
    }

    [Fact]
    public async Task Socket_ReassemblesAndAnswers_WhenTextMessageIsFragmented()
    {
        await using var server = await TestServer.StartAsync(output: output);
        await using var client = await server.ConnectAsync();
        var response = client.ExpectResponse("fragmented");

        await client.SendFragmentedTextAsync(
            """{"jsonrpc":"2.0","id":"fragm""",
            """ented","method":"tools/call","params":{"name":"echo",""",
            """ "arguments":{"text":"in four pieces, ünïcödé"}}""",
            "}");

        Assert.Equal("in four pieces, ünïcödé", (await response.Within(Deadline.Default, "the answer to the fragmented message")).ToolText());
    }

    [Fact]
    public async Task Socket_ReassemblesUtf8_WhenAFragmentBoundarySplitsACharacter()
    {
        await using var server = await TestServer.StartAsync(output: output);
        await using var client = await server.ConnectAsync();
        var message = System.Text.Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo","arguments":{"text":"€uro"}}}""");
        var euro = Array.IndexOf(message, (byte)0xE2); // the first of the euro sign's three bytes
        var response = client.ExpectResponse(7);

        await client.SendFragmentedBytesAsync(message[..(euro + 1)], message[(euro + 1)..]);

        Assert.Equal("€uro", (await response.Within(Deadline.Default, "the answer to the split UTF-8 message")).ToolText());
    }

    [Fact]
    public async Task Socket_IsClosedWith1007_WhenTextFrameIsNotUtf8()
    {
        await using var server = await TestServer.StartAsync(output: output);
        await using var client = await server.ConnectAsync();

        await client.SendTextBytesAsync([(byte)'"', 0xC3, 0x28, (byte)'"']); // 0xC3 0x28 is not UTF-8

        var closed = await client.WaitForCloseAsync();
        Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, closed.Status);
    }
}
