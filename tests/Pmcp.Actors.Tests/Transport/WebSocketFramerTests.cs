using System.Net.WebSockets;
using System.Text;
using Pmcp.Protocol;

namespace Pmcp.Actors.Tests.Transport;

/// <summary>The framing rules both read loops (server and client) share, fed receive results by hand.</summary>
public sealed class WebSocketFramerTests
{
    private static ValueWebSocketReceiveResult Text(WebSocketFramer framer, string text, bool end)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        bytes.CopyTo(framer.NextReceiveBuffer());
        return new ValueWebSocketReceiveResult(bytes.Length, WebSocketMessageType.Text, end);
    }

    private static readonly ValueWebSocketReceiveResult DataWaiting = new(0, WebSocketMessageType.Text, false);

    [Fact]
    public void IdleSocket_ReadsZeroBytes_ThenJoinsFragmentsIntoOneMessage()
    {
        using var framer = new WebSocketFramer(1024);
        Assert.True(framer.NextReceiveBuffer().IsEmpty);
        Assert.Equal(WebSocketFrameOutcome.Pending, framer.Accept(DataWaiting).Outcome);
        Assert.Equal(WebSocketFrameOutcome.Pending, framer.Accept(Text(framer, "{\"a\":", end: false)).Outcome);
        var frame = framer.Accept(Text(framer, "1}", end: true));

        Assert.Equal(WebSocketFrameOutcome.Message, frame.Outcome);
        Assert.Equal("{\"a\":1}", frame.Text);
        Assert.Equal("{\"a\":1}"u8.ToArray(), frame.Utf8.ToArray()); // handed over as its bytes, to parse without the text
        Assert.True(framer.NextReceiveBuffer().IsEmpty); // the buffer went back once the message was read
    }

    [Fact]
    public void BufferGrows_UpToTheLimit_AndAMessageOverItIsTooBig_ThenOnlyTheCloseCounts()
    {
        using var framer = new WebSocketFramer(10_000);
        framer.Accept(DataWaiting);
        var sent = 0;
        WebSocketFrame frame;
        do
        {
            var room = framer.NextReceiveBuffer().Length;
            Assert.True(room > 0);
            frame = framer.Accept(Text(framer, new string('x', room), end: false));
            sent += room;
        }
        while (frame.Outcome == WebSocketFrameOutcome.Pending && sent < 20_000);

        Assert.Equal(WebSocketFrameOutcome.TooBig, frame.Outcome);
        Assert.True(framer.IsDropping);
        Assert.Equal(WebSocketFrameOutcome.Pending, framer.Accept(Text(framer, "{}", end: true)).Outcome);
        Assert.Equal(WebSocketFrameOutcome.Closed, framer.Accept(new ValueWebSocketReceiveResult(0, WebSocketMessageType.Close, true)).Outcome);
    }

    [Fact]
    public void BinaryFrame_IsRefused()
    {
        using var framer = new WebSocketFramer(1024);
        framer.Accept(DataWaiting);
        Assert.Equal(WebSocketFrameOutcome.Binary, framer.Accept(new ValueWebSocketReceiveResult(3, WebSocketMessageType.Binary, true)).Outcome);
        Assert.True(framer.IsDropping);
    }

    [Fact]
    public void AfterThisSideCloses_MessagesAreDropped_AndAnEmptyMessageBeforeIsStillOne()
    {
        using var framer = new WebSocketFramer(1024);
        var empty = framer.Accept(new ValueWebSocketReceiveResult(0, WebSocketMessageType.Text, true));
        Assert.Equal((WebSocketFrameOutcome.Message, ""), (empty.Outcome, empty.Text));

        framer.DropMessages();
        framer.Accept(DataWaiting);
        Assert.Equal(WebSocketFrameOutcome.Pending, framer.Accept(Text(framer, "{}", end: true)).Outcome);
    }
}
