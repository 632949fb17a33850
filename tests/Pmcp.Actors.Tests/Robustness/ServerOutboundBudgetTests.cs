using Pmcp.Actors.Tests.Support;
using Pmcp.Actors.Transport;

namespace Pmcp.Actors.Tests.Robustness;

/// <summary>
/// The server-wide budget for queued outbound bytes (<c>MaxOutboundBytesTotal</c>): every connection's queued bytes
/// count in one sum; past the budget the connections holding the most are cut, largest first, until the rest fit, and
/// a connection that holds little (one that reads) is left alone.
/// </summary>
public sealed class ServerOutboundBudgetTests
{
    private const long PerConnection = 1_000_000; // larger than the server's budget: only the server's sum cuts here

    private static string Chars(int count) => new('x', count);

    private sealed record Connection(string Name, OutboundBytes Bytes, List<string> CutLog);

    private static Connection Open(string name, ServerOutboundBudget server, List<string> cutLog)
    {
        OutboundBytes? bytes = null;
        bytes = new OutboundBytes(PerConnection, server, () =>
        {
            lock (cutLog) cutLog.Add(name);
        });
        return new Connection(name, bytes, cutLog);
    }

    private static Task ReliefDoneAsync(ServerOutboundBudget server, long cuts) =>
        Deadline.UntilAsync(() => Task.FromResult(server.Cut >= cuts && !server.IsRelieving), () => $"{cuts} connection(s) cut by the server's budget");

    [Fact]
    public async Task PastTheBudget_TheConnectionHoldingTheMostIsCut_AndTheOthersKeepTheirs()
    {
        var server = new ServerOutboundBudget(10_000);
        var cut = new List<string>();
        var stalled = Open("stalled", server, cut);
        var slow = Open("slow", server, cut);
        var reader = Open("reader", server, cut);

        stalled.Bytes.Add(Chars(2_500)); // 5,000 bytes
        slow.Bytes.Add(Chars(1_500)); // 3,000
        var readersMessage = Chars(500);
        reader.Bytes.Add(readersMessage); // 1,000: 9,000 in all, within the budget
        Assert.Equal(9_000, server.Queued);
        Assert.Empty(cut);

        reader.Bytes.Remove(readersMessage); // it reads what it gets
        stalled.Bytes.Add(Chars(1_500)); // 11,000: past the budget
        await ReliefDoneAsync(server, 1);

        Assert.Equal(["stalled"], cut);
        Assert.Equal(3_000, server.Queued); // the cut connection's bytes left the sum with it
        Assert.Equal(1, server.Cut);
    }

    [Fact]
    public async Task ConnectionsAreCut_LargestFirst_UntilTheRestFit()
    {
        var server = new ServerOutboundBudget(10_000);
        var cut = new List<string>();
        var connections = Enumerable.Range(1, 4).Select(i => Open($"c{i}", server, cut)).ToArray();
        connections[0].Bytes.Add(Chars(1_000)); // 2,000 bytes
        connections[1].Bytes.Add(Chars(1_500)); // 3,000
        connections[2].Bytes.Add(Chars(2_000)); // 4,000
        var reader = Open("reader", server, cut);
        reader.Bytes.Add(Chars(100)); // 200: 9,200 in all

        connections[3].Bytes.Add(Chars(3_000)); // 6,000 more: 15,200, 5,200 past the budget
        await ReliefDoneAsync(server, 1);

        Assert.Equal(["c4"], cut); // 6,000 of excess 5,200: one cut is enough
        Assert.Equal(9_200, server.Queued);

        connections[0].Bytes.Add(Chars(2_000)); // c1 now 6,000: 13,200 in all, 3,200 past
        await ReliefDoneAsync(server, 2);

        Assert.Equal(["c4", "c1"], cut);
        Assert.Equal(7_200, server.Queued);
    }

    [Fact]
    public async Task ALaterExcess_CutsItsOwnHolder_AndCountsNoneCutBefore()
    {
        var server = new ServerOutboundBudget(10_000);
        var cut = new List<string>();
        var a = Open("a", server, cut);
        var b = Open("b", server, cut);
        var reader = Open("reader", server, cut);
        reader.Bytes.Add(Chars(100)); // 200 bytes
        b.Bytes.Add(Chars(3_000)); // 6,000
        a.Bytes.Add(Chars(4_000)); // 8,000: 14,200 in all, 4,200 past; a's 8,000 covers it
        await ReliefDoneAsync(server, 1);
        Assert.Equal(["a"], cut);

        b.Bytes.Add(Chars(3_000)); // b 12,000 alone: past the budget
        await ReliefDoneAsync(server, 2);

        Assert.Equal(["a", "b"], cut);
        Assert.Equal(200, server.Queued);
    }

    [Fact]
    public void AConnectionThatEnds_LeavesTheSum_AndItsLaterCountingDoesNotTouchIt()
    {
        var server = new ServerOutboundBudget(10_000);
        var connection = Open("done", server, []);
        var message = Chars(1_000);
        connection.Bytes.Add(message);
        connection.Bytes.Add(message);
        Assert.Equal(4_000, server.Queued);

        Assert.True(connection.Bytes.Release());
        Assert.Equal(0, server.Queued);

        connection.Bytes.Remove(message); // its sender dequeues after the end: not subtracted twice
        connection.Bytes.Add(message);
        Assert.Equal(0, server.Queued);
        Assert.False(connection.Bytes.Release());
    }

    [Fact]
    public async Task HttpSessions_TheOneWhoseGetStreamNobodyReadsIsEnded_TheOtherKeepsGoing()
    {
        var server = new ServerOutboundBudget(10_000);
        var options = new McpServerOptions { MaxOutboundBytesPerConnection = PerConnection };
        var ended = new List<StreamableHttpSession>();
        var unread = new StreamableHttpSession("unread", null, options, ended.Add, serverBudget: server);
        var read = new StreamableHttpSession("read", null, options, ended.Add, serverBudget: server);
        var readersStream = read.AttachGet()!;

        var message = Chars(400); // 800 bytes
        for (var i = 0; i < 20; i++)
        {
            Assert.True(read.Send(message));
            Assert.True(readersStream.TryRead(out var taken));
            read.Dequeued(taken);
            unread.Send(message); // the thirteenth takes the sum past 10,000 bytes
        }
        await ReliefDoneAsync(server, 1);

        Assert.True(unread.HasEnded);
        Assert.False(read.HasEnded);
        Assert.Equal([unread], ended);
        Assert.Equal(0, server.Queued);
        Assert.True(read.Send(message));
    }
}
