using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Hosting;
using Pmcp.Actors.Tests.Support;
using Pmcp.Protocol;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Robustness.Hostile;

/// <summary>
/// 2025-era Streamable HTTP sessions whose POSTs ask for large answers that are never read: each answer counts against
/// its session's budget and the server's sum from queued until written, so a session whose clients do not read is cut
/// (the session ends, its POSTs are aborted, its calls cancelled) once it holds more than its own budget or is among the
/// holders the server's budget picks, and the server's memory stays within a bound. Counted only while queued, an answer
/// a POST had taken off its queue counted for nothing while its client kept it waiting in the response's pipe.
/// </summary>
[Collection(HostileCollection.Name)]
public sealed class SessionPostsNeverReadProbes(ITestOutputHelper output)
{
    private const int Sessions = 10;
    private const int PostsEach = 4;

    /// <summary>The server's sum for the first probe: below what the 40 answers hold (20 MB), well within the client's cap.</summary>
    private const long ServerBudget = 12L * 1024 * 1024;

    /// <summary>
    /// The stated bound on the process's memory growth while the POSTs are made and wait (docs/security.md), the same as
    /// the 2026 requests' probe: the server's sum bounds the answers held; the rest is answers being made, garbage the
    /// GC collects when it runs. Nothing forces a collection while the canary runs.
    /// </summary>
    private const long PeakGrowthBound = 256L * 1024 * 1024;

    [Fact]
    public async Task ManySessionsPostingForLargeAnswersNeverRead_AreCutByTheServersBudget_AndMemoryStaysBounded()
    {
        await using var server = await LargeAnswerServer.StartAsync(o => o.MaxOutboundBytesTotal = ServerBudget);
        var runtime = server.App.Services.GetRequiredService<McpServerRuntime>();
        var budget = runtime.OutboundBudget;
        var gate = runtime.Gate;
        await Probe.BesideCanaryAsync(server, output, async () =>
        {
            var sessions = new List<(McpHttpTestClient Session, List<TcpClient> Posts)>();
            WorkingSetPeak? memory = null;
            try
            {
                var placesBefore = gate.OpenConnections;
                for (var i = 0; i < Sessions; i++)
                {
                    var session = new McpHttpTestClient(server.McpHttpUri);
                    await session.InitializeAsync();
                    sessions.Add((session, []));
                }
                memory = new WorkingSetPeak().Start();
                foreach (var (session, posts) in sessions)
                {
                    for (var i = 0; i < PostsEach; i++) posts.Add(await StartNeverReadingAsync(server.McpHttpUri, session, i));
                }

                // Settled: each session still there has all its answers counted, and the server's budget has cut the rest.
                int Alive() => gate.OpenConnections - placesBefore;
                await Deadline.UntilAsync(() => Task.FromResult(budget.Cut > 0 && !budget.IsRelieving && budget.Queued <= budget.Budget
                                                                && budget.Queued >= Alive() * PostsEach * LargeAnswerServer.AnswerBytes),
                    () => $"the server's budget to cut sessions (cut {budget.Cut}, {budget.Queued / 1048576} MiB counted, {Alive()} sessions left)",
                    TimeSpan.FromSeconds(90));
                await memory.StopAsync();

                output.WriteLine($"{budget.Cut} of {Sessions} sessions cut by the server's budget, {Alive()} still waiting with {budget.Queued / 1048576} MiB counted; " +
                                 $"peak memory growth {memory.Growth / 1048576} MiB");
                Assert.Equal(Sessions - budget.Cut, Alive());
                Assert.True(memory.Growth < PeakGrowthBound, $"memory grew {memory.Growth / 1048576} MiB (bound {PeakGrowthBound / 1048576} MiB)");

                // A cut session is gone (404), and each of its POSTs was aborted before its answer was complete.
                var cut = 0;
                foreach (var (session, posts) in sessions)
                {
                    if (await Probe.StatusOfPingAsync(session) is not HttpStatusCode.NotFound) continue; // not cut: the ping is answered
                    cut++;
                    // It held at least one answer being written, whose POST was aborted; one not yet answered may have got 404.
                    Assert.InRange(await AbortedAsync(posts), 1, PostsEach);
                }
                Assert.Equal(budget.Cut, cut);
            }
            finally
            {
                if (memory is not null) await memory.StopAsync();
                foreach (var (session, posts) in sessions)
                {
                    foreach (var post in posts) post.Dispose();
                    await session.DisposeAsync();
                }
            }
            // The POSTs not cut end when their clients go away: nothing stays counted.
            await Deadline.UntilAsync(() => Task.FromResult(budget.Queued == 0),
                () => $"the sessions' bytes to leave the server's sum ({budget.Queued} bytes)", TimeSpan.FromSeconds(30));
        }, canaryFrom: LoopbackSource.Other);
    }

    /// <summary>
    /// One session, its own budget at 4 MB (eight answers), sixteen POSTs never read: the answers being written count, so
    /// the session passes its budget, ends (404) and every one of its POSTs is aborted, the server's sum untouched.
    /// </summary>
    [Fact]
    public async Task OneSessionsPostsNeverRead_PastItsOwnBudget_EndTheSession_AndEveryPostIsAborted()
    {
        const int posts = 16;
        await using var server = await LargeAnswerServer.StartAsync(o => o.MaxOutboundBytesPerConnection = 4L * 1024 * 1024);
        var budget = server.App.Services.GetRequiredService<McpServerRuntime>().OutboundBudget;
        await Probe.BesideCanaryAsync(server, output, async () =>
        {
            await using var session = new McpHttpTestClient(server.McpHttpUri);
            await session.InitializeAsync();
            var sockets = new List<TcpClient>();
            try
            {
                for (var i = 0; i < posts; i++) sockets.Add(await StartNeverReadingAsync(server.McpHttpUri, session, i));

                await Deadline.UntilAsync(async () => await Probe.StatusOfPingAsync(session) == HttpStatusCode.NotFound,
                    () => $"the session to be cut ({budget.Queued / 1048576} MiB counted in the server's sum)", TimeSpan.FromSeconds(60));
                // The POSTs whose answers it held (the seven its budget takes whole; the eighth is refused) were
                // aborted; any whose answer had not begun got 404.
                var aborted = await AbortedAsync(sockets);
                output.WriteLine($"{aborted} of {posts} POSTs aborted, the others answered 404");
                Assert.InRange(aborted, 7, posts);
                Assert.Equal(0, budget.Cut); // its own budget, not the server's
                Assert.Equal(0, budget.Queued);
            }
            finally
            {
                foreach (var socket in sockets) socket.Dispose();
            }
        }, canaryFrom: LoopbackSource.Other);
    }

    /// <summary>A call of <c>blob</c> in <paramref name="session"/>, POSTed on a socket with a small receive buffer that is never read.</summary>
    private static async Task<TcpClient> StartNeverReadingAsync(Uri uri, McpHttpTestClient session, int index)
    {
        var body = new JObject
        {
            ["jsonrpc"] = "2.0",
            ["id"] = $"blob-{index}",
            ["method"] = "tools/call",
            ["params"] = new JObject { ["name"] = "blob" },
        }.ToString(Newtonsoft.Json.Formatting.None);
        var tcp = new TcpClient { NoDelay = true, ReceiveBufferSize = 16 * 1024 };
        await tcp.ConnectAsync(uri.Host, uri.Port);
        await RawHttp.SendAsync(tcp,
            $"POST {uri.AbsolutePath} HTTP/1.1\r\nHost: {uri.Authority}\r\nAccept: application/json, text/event-stream\r\nContent-Type: application/json\r\n" +
            $"{McpHttpTestClient.SessionHeader}: {session.SessionId}\r\n{McpHttpTestClient.VersionHeader}: {session.ProtocolVersion}\r\n" +
            $"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n" + body);
        return tcp;
    }

    /// <summary>
    /// How a POST of a cut session ended: aborted (the server closed or reset its connection before its answer was
    /// complete: true), or, for one whose answer had not begun, answered 404 "The session ended" (false).
    /// </summary>
    private static async Task<bool> EndOfCutPostAsync(TcpClient post)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var stream = post.GetStream();
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            while (await stream.ReadAsync(buffer, cts.Token) is var n and > 0)
            {
                received.Write(buffer, 0, n);
                var text = Encoding.UTF8.GetString(received.ToArray());
                if (RawHttp.StatusOf(text) == 404 && text.EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal)) return false;
            }
        }
        catch (IOException)
        {
            // Reset by the server.
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"a cut session's POST neither ended nor got 404 within 30 s ({received.Length} bytes came)");
        }
        var answer = Encoding.UTF8.GetString(received.ToArray());
        Assert.True(RawHttp.BodyOf(answer).Length < LargeAnswerServer.BlobChars, $"a cut session's POST carried its whole answer ({answer.Length} bytes)");
        return true;
    }

    /// <summary>Each POST of a cut session ended (aborted, or 404 when its answer had not begun); how many were aborted.</summary>
    private static async Task<int> AbortedAsync(IEnumerable<TcpClient> posts)
    {
        var aborted = 0;
        foreach (var post in posts)
        {
            if (await EndOfCutPostAsync(post)) aborted++;
        }
        return aborted;
    }
}
