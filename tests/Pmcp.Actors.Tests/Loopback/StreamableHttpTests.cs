using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Runtime;
using Pmcp.Actors.Hosting;
using Pmcp.Actors.Security;
using Pmcp.Actors.Server;
using Pmcp.Actors.Tests.Support;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Loopback;

/// <summary>
/// The Streamable HTTP transport over real sockets with <see cref="HttpClient"/>: every status of README's Outcomes
/// table, JSON and SSE answers, the GET stream, a request to the client answered with a POST, DELETE, expiry and the cap.
/// </summary>
public sealed class StreamableHttpTests(ITestOutputHelper output)
{
    private const string InitializeBody = """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}""";

    private Task<TestServer> StartAsync(Action<McpServerOptions>? options = null) =>
        TestServer.StartAsync(configureServer: mcp => mcp.AddDemoFeatures(), configureOptions: options, output: output);

    [Fact]
    public async Task Initialize_IsAnsweredWithJson_AndASessionIdOfVisibleAscii()
    {
        await using var server = await StartAsync();
        await using var client = new McpHttpTestClient(server.McpHttpUri);

        using var response = await client.SendAsync(client.NewPost(InitializeBody, withSession: false));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var sessionId = Assert.Single(response.Headers.GetValues("Mcp-Session-Id"));
        Assert.Matches("^[0-9a-f]{32}$", sessionId);
        var body = JObject.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("2025-11-25", (string?)body["result"]!["protocolVersion"]);
    }

    [Fact]
    public async Task Requests_AreAnsweredWithJson_WhenNothingComesBeforeTheResponse()
    {
        await using var server = await StartAsync();
        await using var client = await McpHttpTestClient.ConnectAsync(server.McpHttpUri);

        var call = await client.StartRequestAsync("tools/call", new JObject { ["name"] = "echo", ["arguments"] = new JObject { ["text"] = "hi" } });

        Assert.Equal("application/json", call.MediaType);
        Assert.Equal("hi", (await call.Response.Within(Deadline.Default, "the echo"))!.ToolText());
    }

    [Fact]
    public async Task AJsonAnswer_CarriesItsLength_NotChunkedFraming()
    {
        await using var server = await StartAsync();
        await using var client = new McpHttpTestClient(server.McpHttpUri);

        using var response = await client.SendAsync(client.NewPost(InitializeBody, withSession: false));
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body.Length, response.Content.Headers.ContentLength);
        Assert.NotEqual(true, response.Headers.TransferEncodingChunked);
        Assert.Equal("2025-11-25", (string?)JObject.Parse(Encoding.UTF8.GetString(body))["result"]!["protocolVersion"]);
    }

    [Fact]
    public async Task Progress_IsStreamedAsSse_BeforeTheResponseOnTheSamePost()
    {
        await using var server = await StartAsync();
        await using var client = await McpHttpTestClient.ConnectAsync(server.McpHttpUri);

        var call = await client.StartRequestAsync("tools/call", new JObject
        {
            ["name"] = "sleep", ["arguments"] = new JObject { ["ms"] = 300 }, ["_meta"] = new JObject { ["progressToken"] = "p" },
        });

        Assert.Equal("text/event-stream", call.MediaType);
        var first = await client.ReadNotificationAsync(); // read while the call still runs: streamed, not buffered
        Assert.Equal("notifications/progress", first.Method);
        var result = await call.Response.Within(Deadline.Default, "the sleep");
        Assert.Equal("slept 300 ms", result!.ToolText());
        Assert.True(first.Sequence < result.Sequence);
    }

    [Fact]
    public async Task SamplingRequest_RidesThePostStream_AndIsAnsweredWithAPost()
    {
        await using var server = await StartAsync();
        await using var client = await McpHttpTestClient.ConnectAsync(server.McpHttpUri, capabilities: new JObject { ["sampling"] = new JObject() });

        var call = await client.StartRequestAsync("tools/call", new JObject { ["name"] = "ask-model", ["arguments"] = new JObject { ["question"] = "2+2?" } });
        var request = await client.ReadServerRequestAsync();
        Assert.Equal("sampling/createMessage", request.Method);
        Assert.Equal("2+2?", (string?)request.Params!["messages"]![0]!["content"]!["text"]);
        await client.RespondAsync(request.Id!, new JObject
        {
            ["role"] = "assistant", ["content"] = new JObject { ["type"] = "text", ["text"] = "four" }, ["model"] = "test-model",
        });

        Assert.Equal("four", (await call.Response.Within(Deadline.Default, "the ask-model result"))!.ToolText());
    }

    [Fact]
    public async Task GetStream_ReceivesListChanged_ThatBelongsToNoRequest()
    {
        await using var server = await StartAsync();
        await using var client = await McpHttpTestClient.ConnectAsync(server.McpHttpUri);
        using var stream = await client.OpenGetStreamAsync();
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType?.MediaType);

        await server.App.Services.GetRequiredService<McpServerRuntime>().AddToolAsync(
            new McpToolDefinition("late", McpToolDefinition.EmptyInputSchema(), (_, _) => Task.FromResult(CallToolResult.Text("late"))));

        Assert.Equal("notifications/tools/list_changed", (await client.ReadNotificationAsync()).Method);
    }

    [Fact]
    public async Task GetStream_Answers409_WhenTheSessionsStreamIsAlreadyOpen()
    {
        await using var server = await StartAsync();
        await using var client = await McpHttpTestClient.ConnectAsync(server.McpHttpUri);
        using var first = await client.OpenGetStreamAsync();

        using var second = await client.OpenGetStreamAsync();

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
    }

    [Fact]
    public async Task Post_IsRefusedWithTheDocumentedStatus_WhenHeadersOrBodyAreWrong()
    {
        await using var server = await StartAsync();
        await using var client = await McpHttpTestClient.ConnectAsync(server.McpHttpUri);
        var ping = """{"jsonrpc":"2.0","id":9,"method":"ping"}""";

        Assert.Equal(HttpStatusCode.BadRequest, await StatusAsync(client.NewPost(ping, withSession: false)));           // no session id
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(With(client.NewPost(ping, withSession: false), "Mcp-Session-Id", "0123")));
        var badVersion = client.NewPost(ping, withSession: false);
        badVersion.Headers.Add("Mcp-Session-Id", client.SessionId);
        badVersion.Headers.Add("MCP-Protocol-Version", "1999-01-01");
        Assert.Equal(HttpStatusCode.BadRequest, await StatusAsync(badVersion));
        var jsonOnly = client.NewPost(ping);
        jsonOnly.Headers.Accept.Clear();
        jsonOnly.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        Assert.Equal(HttpStatusCode.NotAcceptable, await StatusAsync(jsonOnly));
        var text = client.NewPost(ping);
        text.Content = new StringContent(ping, Encoding.UTF8, "text/plain");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, await StatusAsync(text));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, await StatusAsync(new HttpRequestMessage(HttpMethod.Put, server.McpHttpUri)));

        using var parseError = await client.SendAsync(client.NewPost("{not json"));
        Assert.Equal(HttpStatusCode.BadRequest, parseError.StatusCode);
        Assert.Equal(-32700, (int)JObject.Parse(await parseError.Content.ReadAsStringAsync())["error"]!["code"]!);
        using var batch = await client.SendAsync(client.NewPost($"[{ping}]"));
        Assert.Equal(HttpStatusCode.BadRequest, batch.StatusCode);
        Assert.Equal(-32600, (int)JObject.Parse(await batch.Content.ReadAsStringAsync())["error"]!["code"]!);

        (await client.RequestAsync("ping")).EnsureSuccess(); // the session is unharmed

        async Task<HttpStatusCode> StatusAsync(HttpRequestMessage request)
        {
            using (request)
            using (var response = await client.SendAsync(request)) return response.StatusCode;
        }
    }

    [Fact]
    public async Task Post_Answers413_WhenTheMessageIsLargerThanMaxMessageBytes()
    {
        await using var server = await StartAsync(o => o.MaxMessageBytes = 1024);
        await using var client = await McpHttpTestClient.ConnectAsync(server.McpHttpUri);

        using var response = await client.SendAsync(client.NewPost(
            client.Request("tools/call", new JObject { ["name"] = "echo", ["arguments"] = new JObject { ["text"] = new string('x', 2000) } }).ToString()));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task NotificationsAndResponses_AreAccepted202()
    {
        await using var server = await StartAsync();
        await using var client = await McpHttpTestClient.ConnectAsync(server.McpHttpUri); // its notifications/initialized got 202

        await client.NotifyAsync("notifications/roots/list_changed");
        await client.RespondAsync(new JValue(12345), new JObject()); // an answer to nothing is accepted and ignored
    }

    [Fact]
    public async Task Get_Answers406_WithoutAcceptEventStream_AndTheWebSocketUpgradeStillWorks()
    {
        await using var server = await StartAsync();
        using var http = new HttpClient { Timeout = Deadline.Default };

        using var plain = await http.GetAsync(server.McpHttpUri);

        Assert.Equal(HttpStatusCode.NotAcceptable, plain.StatusCode);
        Assert.Contains("text/event-stream", await plain.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await using var socket = await server.ConnectAsync();
        Assert.Equal("hi", (await socket.CallToolAsync("echo", new { text = "hi" })).ToolText());
    }

    [Fact]
    public async Task Delete_EndsTheSession_ItsActorStops_AndItsIdGets404()
    {
        await using var server = await StartAsync();
        await using var client = await McpHttpTestClient.ConnectAsync(server.McpHttpUri);
        Assert.Equal(1, (await StatsAsync(server)).Connections);

        Assert.Equal(HttpStatusCode.NoContent, await client.DeleteSessionAsync());

        using var after = await client.PostAsync(client.Request("ping"));
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, await client.DeleteSessionAsync());
        await Deadline.UntilAsync(async () => (await StatsAsync(server)).Connections == 0, () => "waiting for the session's actor to stop");
    }

    [Fact]
    public async Task IdleSession_Expires_AfterSessionIdleTimeout()
    {
        // Long enough that the busy session's GET opens before it could expire, even on a loaded machine.
        await using var server = await StartAsync(o => o.SessionIdleTimeout = TimeSpan.FromSeconds(2));
        await using var client = await McpHttpTestClient.ConnectAsync(server.McpHttpUri);
        await using var busy = await McpHttpTestClient.ConnectAsync(server.McpHttpUri);
        using var stream = await busy.OpenGetStreamAsync(); // an open stream keeps a session alive
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);

        // Watched from the server's side: a request on the idle session would make it active again.
        await Deadline.UntilAsync(async () => (await StatsAsync(server)).Connections == 1, () => "waiting for the idle session to expire and its actor to stop");
        using (var expired = await client.PostAsync(client.Request("ping")))
            Assert.Equal(HttpStatusCode.NotFound, expired.StatusCode);
        (await busy.RequestAsync("ping")).EnsureSuccess();
    }

    [Fact]
    public async Task SessionCap_IsMaxConnections_CountingWebSocketsAndHttpSessionsTogether()
    {
        await using var server = await StartAsync(o => o.MaxConnections = 2);
        await using var http = await McpHttpTestClient.ConnectAsync(server.McpHttpUri);
        await using var socket = await server.ConnectAsync();
        await using var third = new McpHttpTestClient(server.McpHttpUri);
        // Neither is idle (a stream open, a call in flight), so neither can be evicted to make room.
        using var stream = await http.OpenGetStreamAsync();
        await UpgradeTests.Busy(socket);

        using (var refused = await third.SendAsync(third.NewPost(InitializeBody, withSession: false)))
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await UpgradeProbe.TryUpgradeAsync(server.WebSocketUri));

        Assert.Equal(HttpStatusCode.NoContent, await http.DeleteSessionAsync());
        await third.InitializeAsync(); // the place is free again at once
        (await third.RequestAsync("ping")).EnsureSuccess();
    }

    [Fact]
    public async Task Post_Answers403_ForABrowserOriginNotAllowed()
    {
        await using var server = await StartAsync();
        await using var client = new McpHttpTestClient(server.McpHttpUri);
        var evil = client.NewPost(InitializeBody, withSession: false);
        evil.Headers.Add("Origin", "http://evil.example.com");
        var local = client.NewPost(InitializeBody, withSession: false);
        local.Headers.Add("Origin", server.HttpUri.GetLeftPart(UriPartial.Authority));

        using var refused = await client.SendAsync(evil);
        using var admitted = await client.SendAsync(local);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
    }

    [Fact]
    public async Task Session_IsProtectedLikeTheWebSocket_ByRequireAuthorization_AndBoundToItsCaller()
    {
        await using var server = await TestServer.StartAsync(
            configureServer: mcp => mcp.Tool("whoami", (_, ctx) => Task.FromResult(CallToolResult.Text(ctx.User.Identity?.Name ?? "nobody"))),
            configureHost: host => host.Services.AddMcpBearerTokenAuthentication(
                [new McpBearerToken { Token = "token-ada", Name = "ada" }, new McpBearerToken { Token = "token-bob", Name = "bob" }]),
            configureApp: app =>
            {
                app.UseAuthentication();
                app.UseAuthorization();
            },
            configureEndpoint: endpoint => endpoint.RequireAuthorization(),
            output: output);
        await using var client = new McpHttpTestClient(server.McpHttpUri);

        using (var anonymous = await client.SendAsync(client.NewPost(InitializeBody, withSession: false)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Equal("Bearer", anonymous.Headers.WwwAuthenticate.Single().Scheme);
        }

        var ada = client.NewPost(InitializeBody, withSession: false);
        ada.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "token-ada");
        using var initialized = await client.SendAsync(ada);
        Assert.Equal(HttpStatusCode.OK, initialized.StatusCode);
        client.SessionId = initialized.Headers.GetValues("Mcp-Session-Id").Single();

        var asAda = client.NewPost(client.Request("tools/call", new JObject { ["name"] = "whoami" }).ToString());
        asAda.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "token-ada");
        using var answer = await client.SendAsync(asAda);
        Assert.Contains("\"text\":\"ada\"", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var asBob = client.NewPost(client.Request("ping").ToString());
        asBob.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "token-bob");
        using var stolen = await client.SendAsync(asBob);
        Assert.Equal(HttpStatusCode.NotFound, stolen.StatusCode); // another caller's session does not exist for bob
    }

    private static async Task<McpServerProtocol.Stats> StatsAsync(TestServer server) =>
        await server.ActorSystem.ActorSelection("/user/pmcp").Ask<McpServerProtocol.Stats>(McpServerProtocol.GetStats.Instance, Deadline.Default);

    private static HttpRequestMessage With(HttpRequestMessage request, string header, string value)
    {
        request.Headers.Add(header, value);
        return request;
    }
}
