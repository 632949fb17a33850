using Pmcp.Actors.Transport;
using Pmcp.Protocol;

namespace Pmcp.Actors.Tests.Robustness;

/// <summary>
/// A Streamable HTTP session's outbound byte budget, over all its streams: messages for the SSE GET stream that nobody
/// reads, or a POST's answers its client does not take, end the session once they hold more than
/// <c>MaxOutboundBytesPerConnection</c> (two bytes a character); what a stream takes off its queue no longer counts.
/// </summary>
public sealed class OutboundBudgetTests
{
    private static readonly string Message = new('x', 400); // 800 bytes as a .NET string

    private static StreamableHttpSession Session(List<StreamableHttpSession> ended) =>
        new("s", null, new McpServerOptions { MaxOutboundBytesPerConnection = 2_000 }, ended.Add);

    [Fact]
    public void MessagesForAnUnreadGetStream_EndTheSession_OncePastTheBudget()
    {
        var ended = new List<StreamableHttpSession>();
        var session = Session(ended);

        Assert.True(session.Send(Message));
        Assert.True(session.Send(Message)); // 1,600 bytes queued
        Assert.False(session.Send(Message)); // 2,400: past the budget

        Assert.True(session.HasEnded);
        Assert.Single(ended);
    }

    [Fact]
    public void WhatAStreamTakesOffItsQueue_NoLongerCounts()
    {
        var ended = new List<StreamableHttpSession>();
        var session = Session(ended);
        var post = session.OpenPost(new RequestId(1))!;

        for (var i = 0; i < 10; i++)
        {
            Assert.True(session.Send(Message, new RequestId(1)));
            Assert.True(post.Reader.TryRead(out _)); // a POST's stream uncounts what it hands out
        }

        Assert.False(session.HasEnded);
        Assert.Equal(0, session.QueuedOutboundBytes);
    }

    [Fact]
    public void AnAbandonedPostsLeftovers_NoLongerCount()
    {
        var session = Session([]);
        var post = session.OpenPost(new RequestId(1))!;
        Assert.True(session.Send(Message, new RequestId(1)));
        Assert.True(session.Send(Message, new RequestId(1)));

        session.ClosePost(new RequestId(1), post); // its client went away

        Assert.Equal(0, session.QueuedOutboundBytes);
        Assert.False(session.HasEnded);
    }

    [Fact]
    public void OneMessageAlone_AlwaysFits_HoweverLarge()
    {
        var session = Session([]);

        Assert.True(session.Send(new string('x', 100_000)));
        Assert.False(session.HasEnded);
    }

    /// <summary>A POST whose connection counts how often it is aborted (what a cut does to it).</summary>
    private sealed class CountedAborts : Microsoft.AspNetCore.Http.Features.IHttpRequestLifetimeFeature
    {
        private int _aborts;

        public CountedAborts()
        {
            var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
            context.Features.Set<Microsoft.AspNetCore.Http.Features.IHttpRequestLifetimeFeature>(this);
            Abort = new PostAbort(context);
        }

        public PostAbort Abort { get; }

        public int Aborts => Volatile.Read(ref _aborts);

        public CancellationToken RequestAborted { get; set; }

        void Microsoft.AspNetCore.Http.Features.IHttpRequestLifetimeFeature.Abort() => Interlocked.Increment(ref _aborts);
    }

    private static ModernRequestOutlet Request(ServerOutboundBudget? server = null)
    {
        var options = new McpServerOptions { MaxOutboundBytesPerConnection = 2_000 };
        var place = new ConnectionGate(options).TryEnter("c", startsSession: false).Place!;
        return new ModernRequestOutlet(new RequestId(1), place, options, server);
    }

    [Fact]
    public void A2026AnswerBeingWritten_CountsUntilItIsWritten()
    {
        var request = Request();

        request.Writing(Message);
        Assert.Equal(800, request.QueuedOutboundBytes);

        request.Written(Message);
        Assert.Equal(0, request.QueuedOutboundBytes);
    }

    [Fact]
    public void MessagesQueuedBehindA2026AnswerBeingWritten_PastTheBudget_CutTheRequest()
    {
        var post = new CountedAborts();
        var request = Request();
        request.Abort = post.Abort;

        Assert.True(request.Send(Message, new RequestId(1)));
        Assert.True(request.Post.Reader.TryRead(out var first));
        request.Writing(first.Json); // its client does not read: the write does not end
        Assert.True(request.Send(Message, new RequestId(1))); // 1,600 bytes
        Assert.False(request.Send(Message, new RequestId(1))); // 2,400: past the budget

        Assert.True(request.HasEnded);
        Assert.Equal(1, post.Aborts); // its POST's connection is aborted
    }

    [Fact]
    public void A2026RequestThatEnded_IsNoLongerKeptByTheServersBudget()
    {
        var server = new ServerOutboundBudget(1_000_000);
        var request = Request(server);
        Assert.True(request.Send(Message, new RequestId(1), final: true));
        Assert.True(request.Post.Reader.TryRead(out var answer));
        request.Writing(answer.Json);
        request.Written(answer.Json);
        Assert.Equal(1, server.Tracked);

        request.End("the request's POST ended");

        // Kept, it would stay listed for the server's life with its outlet and answer: memory growing with every request.
        Assert.Equal(0, server.Tracked);
        Assert.Equal(0, server.Queued);
    }

    [Fact]
    public async Task A2026RequestPickedByTheServersBudget_IsCut()
    {
        var server = new ServerOutboundBudget(1_000);
        var post = new CountedAborts();
        var request = Request(server);
        request.Abort = post.Abort;

        request.Writing(new string('x', 1_000)); // 2,000 bytes: twice the server's budget

        await Pmcp.Actors.Tests.Support.Deadline.UntilAsync(() => Task.FromResult(post.Aborts == 1), () => "the request's POST to be aborted");
        Assert.True(request.HasEnded);
        Assert.Equal(0, server.Queued);
    }
}
