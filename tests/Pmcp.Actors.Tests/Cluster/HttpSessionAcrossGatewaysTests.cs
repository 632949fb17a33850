using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Hosting;
using Pmcp.Actors.Tests.Support;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Cluster;

/// <summary>
/// Three gateways of one cluster behind a "load balancer" that sends each request of one Streamable HTTP session to
/// another gateway: the session lives on the gateway that created it, and the others serve its requests over Akka.Remote.
/// </summary>
public sealed class HttpSessionAcrossGatewaysTests(ITestOutputHelper output)
{
    private static readonly TimeSpan AnswerDeadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task SessionCreatedOnA_IsServedThroughBAndC_ThenDeletedThroughA()
    {
        await using var cluster = await GatewayNodes.StartAsync(3, output);
        var (a, b, c) = (cluster.Nodes[0], cluster.Nodes[1], cluster.Nodes[2]);
        await using var onA = Client(a, "ada");
        await using var onB = Client(b, "ada");
        await using var onC = Client(c, "ada");

        await onA.InitializeAsync();
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{32}$", onA.SessionId);
        Share(onA, onB, onC);

        // tools/call with progress through B: the progress and the result come back on B's SSE response.
        var call = await onB.StartRequestAsync("tools/call", new JObject
        {
            ["name"] = "steps",
            ["arguments"] = new JObject { ["n"] = 3 },
            ["_meta"] = new JObject { ["progressToken"] = "p-1" },
        });
        Assert.Equal("text/event-stream", call.MediaType);
        var answer = await call.Response.Within(AnswerDeadline, "the answer through B");
        Assert.NotNull(answer);
        Assert.False(answer.IsToolError, answer.Raw);
        for (var i = 1; i <= 3; i++)
        {
            var progress = await onB.ReadNotificationAsync(AnswerDeadline);
            Assert.Equal("notifications/progress", progress.Method);
            Assert.Equal("p-1", (string?)progress.Params!["progressToken"]);
            Assert.Equal(i, (int?)progress.Params["progress"]);
        }

        // A plain request through C, and a notification through B (202), on the same session.
        var tools = await onC.StartRequestAsync("tools/list");
        Assert.Contains("steps", (await tools.Response.Within(AnswerDeadline, "tools/list through C"))!.Result!["tools"]!.Select(t => (string?)t["name"]));
        using (var accepted = await onB.PostAsync(new JObject { ["jsonrpc"] = "2.0", ["method"] = "notifications/roots/list_changed" }))
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);

        // The session's GET stream through C: a change made on A (the session's gateway) reaches it.
        using var stream = await onC.OpenGetStreamAsync();
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType?.MediaType);
        // One GET stream per session, whichever gateway holds it open.
        using (var second = await onB.OpenGetStreamAsync()) Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        await a.App.Services.GetRequiredService<McpServerRuntime>()
            .AddToolAsync(new McpToolDefinition("late", McpToolDefinition.EmptyInputSchema(), (_, _) => Task.FromResult(CallToolResult.Text("late"))));
        Assert.Equal("notifications/tools/list_changed", (await onC.ReadNotificationAsync(AnswerDeadline)).Method);

        // Another caller holding the id gets what an unknown id gets, on every gateway.
        await using (var mallory = Client(b, "mallory"))
        {
            Share(onA, mallory);
            using var refused = await mallory.PostAsync(mallory.Request("tools/list"));
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        }

        // DELETE through A ends it everywhere: 404 through B and C from then on.
        Assert.Equal(HttpStatusCode.NoContent, await onA.DeleteSessionAsync());
        using (var gone = await onB.PostAsync(onB.Request("tools/list"))) Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, await onC.DeleteSessionAsync());
    }

    [Fact]
    public async Task SessionOfAGatewayThatLeft_Gets404_AndTheClientStartsANewOne()
    {
        await using var cluster = await GatewayNodes.StartAsync(3, output);
        var (a, b, c) = (cluster.Nodes[0], cluster.Nodes[1], cluster.Nodes[2]);
        await using var onC = Client(c, "ada");
        await using var onA = Client(a, "ada");
        await onC.InitializeAsync();
        Share(onC, onA);
        Assert.False((await CallStepsAsync(onA)).IsToolError); // served through A

        await c.StopAsync().Within(AnswerDeadline, "gateway C to stop");
        await cluster.AwaitMembersAsync(2, [a, b]);

        using (var gone = await onA.PostAsync(onA.Request("tools/list"))) Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        await onA.InitializeAsync();
        Assert.Matches("^[0-9a-f]{8}-", onA.SessionId);
        Assert.False((await CallStepsAsync(onA)).IsToolError);
    }

    private static async Task<WireMessage> CallStepsAsync(McpHttpTestClient client)
    {
        var call = await client.StartRequestAsync("tools/call", new JObject { ["name"] = "steps", ["arguments"] = new JObject { ["n"] = 1 } });
        var answer = await call.Response.Within(AnswerDeadline, "the answer to steps");
        return answer ?? throw new InvalidOperationException("The stream ended without a response.");
    }

    private static McpHttpTestClient Client(TestServer gateway, string user)
    {
        var client = new McpHttpTestClient(gateway.McpHttpUri) { HeadersDeadline = AnswerDeadline };
        client.DefaultHeaders.Add(HeaderAuthenticationHandler.Header, user);
        return client;
    }

    /// <summary>What a load balancer in front of the gateways leaves the client: one session, any gateway.</summary>
    private static void Share(McpHttpTestClient from, params McpHttpTestClient[] to)
    {
        foreach (var client in to)
        {
            client.SessionId = from.SessionId;
            client.ProtocolVersion = from.ProtocolVersion;
        }
    }
}
