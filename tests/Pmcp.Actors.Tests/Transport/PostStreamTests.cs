using Pmcp.Actors.Tests.Support;
using Pmcp.Actors.Transport;

namespace Pmcp.Actors.Tests.Transport;

/// <summary>
/// The stream one Streamable HTTP POST reads its request's messages from, driven by hand: what the POST sees when the
/// server writes before, while and after it waits, when its stream fills up, and when it is abandoned or cancelled.
/// </summary>
public sealed class PostStreamTests
{
    [Fact]
    public async Task MessagesWrittenBeforeTheReaderWaits_AreReadInOrder_AndTheFinalOneEndsTheStream()
    {
        var post = new StreamableHttpSession.PostStream(capacity: 8, new OutboundBytes(long.MaxValue));
        Assert.True(post.TryWrite("progress 1", final: false));
        Assert.True(post.TryWrite("progress 2", final: false));
        Assert.True(post.TryWrite("response", final: true));
        Assert.False(post.TryWrite("after the response", final: false));

        var read = new List<string>();
        await foreach (var message in post.Reader.ReadAllAsync().WithCancellation(CancellationToken.None)) read.Add(message.Json);

        Assert.Equal(["progress 1", "progress 2", "response"], read);
    }

    [Fact]
    public async Task AWaitingReader_IsWokenByEachMessage()
    {
        var post = new StreamableHttpSession.PostStream(capacity: 8, new OutboundBytes(long.MaxValue));
        var reader = post.Reader;

        var waiting = reader.WaitToReadAsync(CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);
        post.TryWrite("log", final: false);
        Assert.True(await waiting.Within(Deadline.Default, "the first message"));
        Assert.True(reader.TryRead(out var first));
        Assert.Equal(new StreamableHttpSession.Outbound("log", false), first);
        Assert.False(reader.TryRead(out _));

        waiting = reader.WaitToReadAsync(CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);
        post.TryWrite("response", final: true);
        Assert.True(await waiting.Within(Deadline.Default, "the response"));
        Assert.True(reader.TryRead(out var last));
        Assert.True(last.Final);
        Assert.False(await reader.WaitToReadAsync(CancellationToken.None)); // nothing follows the final message
    }

    [Fact]
    public void AFullStream_RefusesTheNextMessage()
    {
        var post = new StreamableHttpSession.PostStream(capacity: 2, new OutboundBytes(long.MaxValue));
        Assert.True(post.TryWrite("a", final: false));
        Assert.True(post.TryWrite("b", final: false));
        Assert.False(post.TryWrite("c", final: false));

        Assert.True(post.Reader.TryRead(out _));
        Assert.True(post.TryWrite("c", final: true)); // room again once one was read
    }

    [Fact]
    public async Task Abandoning_EndsAWaitingReader_AndRefusesLaterMessages()
    {
        var post = new StreamableHttpSession.PostStream(capacity: 8, new OutboundBytes(long.MaxValue));
        var waiting = post.Reader.WaitToReadAsync(CancellationToken.None);

        post.Abandon();

        Assert.False(await waiting.Within(Deadline.Default, "the end of the stream"));
        Assert.True(post.IsAbandoned);
        Assert.False(post.TryWrite("late", final: true));
    }

    [Fact]
    public async Task AbandoningAfterAMessage_StillLetsTheReaderReadIt()
    {
        var post = new StreamableHttpSession.PostStream(capacity: 8, new OutboundBytes(long.MaxValue));
        post.TryWrite("progress", final: false);
        post.Abandon();

        Assert.True(await post.Reader.WaitToReadAsync(CancellationToken.None));
        Assert.True(post.Reader.TryRead(out var message));
        Assert.Equal("progress", message.Json);
        Assert.False(await post.Reader.WaitToReadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task CancellingTheWait_ThrowsToTheReader_AndTheStreamStaysUsable()
    {
        var post = new StreamableHttpSession.PostStream(capacity: 8, new OutboundBytes(long.MaxValue));
        using var aborted = new CancellationTokenSource();
        var waiting = post.Reader.WaitToReadAsync(aborted.Token).AsTask();

        await aborted.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.Within(Deadline.Default, "the cancelled wait"));
        post.TryWrite("response", final: true); // a message after the cancelled wait is not lost
        Assert.True(await post.Reader.WaitToReadAsync(CancellationToken.None));
        Assert.True(post.Reader.TryRead(out var message));
        Assert.Equal("response", message.Json);
    }
}
