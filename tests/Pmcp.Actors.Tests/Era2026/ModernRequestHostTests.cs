using System.Net;
using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Hosting;
using Pmcp.Actors.Runtime;
using Pmcp.Actors.Tests.Runtime;
using Pmcp.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Era2026;

/// <summary>
/// 2026-07-28 requests over real sockets run on hosts that outlive them (issue 29: no actor per request), and still
/// each in a session of its own: one request's end never reaches the next one's.
/// </summary>
public sealed class ModernRequestHostTests(ITestOutputHelper output)
{
    private readonly TestTools _tools = new();

    private Task<TestServer> StartAsync() =>
        TestServer.StartAsync(configureServer: mcp => _tools.AddTo(mcp), configureOptions: o => o.ServeStatelessEra = true, output: output, demoTools: false);

    private static ModernRequestPool Pool(TestServer server) => server.App.Services.GetRequiredService<McpServerRuntime>().ModernRequestHosts;

    private static Task<McpServerProtocol.Stats> StatsAsync(TestServer server) =>
        server.ActorSystem.ActorSelection("/user/pmcp").Ask<McpServerProtocol.Stats>(McpServerProtocol.GetStats.Instance, Deadline.Default);

    private static HttpRequestMessage Echo(McpHttpTestClient client, string text) =>
        ModernHttp.Post(client, 1, "tools/call", ModernRequests.Params(new JObject { ["name"] = "echo", ["arguments"] = new JObject { ["text"] = text } }), nameHeader: "echo");

    [Fact]
    public async Task RequestsOneAfterAnother_AreServedByOneHost_EachWithItsOwnAnswer()
    {
        await using var server = await StartAsync();
        await using var client = new McpHttpTestClient(server.McpHttpUri);

        foreach (var text in new[] { "one", "two", "three", "four" })
        {
            var (status, body, _) = await ModernHttp.SendAsync(client, Echo(client, text));
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(text, (string?)body["result"]!["content"]![0]!["text"]);
            await Deadline.UntilAsync(() => Task.FromResult(Pool(server).IdleCount == 1), () => "the host to wait in the pool again");
        }

        Assert.Equal(1, (await StatsAsync(server)).ConnectionsOpened);
    }

    [Fact]
    public async Task RequestWhoseClientWentAway_CancelsItsCall_AndTheNextRequestIsServedOnAFreshHost()
    {
        await using var server = await StartAsync();
        await using var client = new McpHttpTestClient(server.McpHttpUri);

        using (var gone = new CancellationTokenSource())
        using (var leaving = new HttpClient())
        {
            var block = ModernHttp.Post(client, 1, "tools/call", ModernRequests.Params(new JObject { ["name"] = "block" }), nameHeader: "block");
            var sending = leaving.SendAsync(block, gone.Token);
            await Deadline.UntilAsync(() => Task.FromResult(Volatile.Read(ref _tools.Started) == 1), () => "the blocking call to start");
            gone.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);
        }
        await _tools.Cancelled.Task.WaitAsync(Deadline.Default);
        // The host of the abandoned call stops rather than serve another request while that call may still tell it something.
        await Deadline.UntilAsync(async () => (await StatsAsync(server)).Connections == 0, () => "the abandoned request's host to stop");

        var (status, body, _) = await ModernHttp.SendAsync(client, Echo(client, "after"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, (int)body["id"]!);
        Assert.Equal("after", (string?)body["result"]!["content"]![0]!["text"]);
    }
}
