using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Security;
using Pmcp.Actors.Tests.Support;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Era2026;

/// <summary>
/// Multi-round-trip requests (MRTR) over 2026-07-28 Streamable HTTP, on real sockets: a tool written with the 2025
/// ToolContext API (it awaits its client's answers) is answered with an InputRequiredResult, the client's retry with
/// inputResponses and the echoed requestState runs it again with the answers, and a requestState that was changed, is
/// another caller's or another request's, or that did not ask what a response answers, is refused with -32602.
/// </summary>
public sealed class MrtrHttpTests(ITestOutputHelper output)
{
    private static readonly JObject Capabilities = JObject.Parse("""{"elicitation":{},"sampling":{},"roots":{}}""");

    /// <summary>Asks a name, then (with the name known) the roots: two rounds, the second under the default key roots-1.</summary>
    private static void AddTwoQuestionTool(McpServerBuilder mcp) => mcp.Tool("introduce", async (args, ctx) =>
    {
        var name = await ctx.Client.ElicitAsync(ElicitParams.Form($"Who are you, {args["title"]}?",
            JObject.Parse("""{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}""")), "name", ctx.CancellationToken);
        var roots = await ctx.Client.ListRootsAsync(ctx.CancellationToken);
        return CallToolResult.Text($"{name.Content?["name"]} works in {string.Join(", ", roots.Roots.Select(r => r.Uri))}");
    }, "Asks the user's name, then the client's roots.", JObject.Parse("""{"type":"object","properties":{"title":{"type":"string"}}}"""));

    private Task<TestServer> StartAsync(Action<WebApplicationBuilder>? configureHost = null, Action<WebApplication>? configureApp = null,
        Action<IEndpointConventionBuilder>? configureEndpoint = null) =>
        TestServer.StartAsync(configureServer: AddTwoQuestionTool, configureOptions: o => o.ServeStatelessEra = true, output: output,
            configureHost: configureHost, configureApp: configureApp, configureEndpoint: configureEndpoint);

    private static JObject Call(JObject? inputResponses = null, string? requestState = null, string title = "Dr")
    {
        var call = new JObject { ["name"] = "introduce", ["arguments"] = new JObject { ["title"] = title } };
        if (inputResponses is not null) call["inputResponses"] = inputResponses;
        if (requestState is not null) call["requestState"] = requestState;
        return ModernRequests.Params(call, ModernRequests.Meta(Capabilities));
    }

    private static async Task<JObject> CallAsync(McpHttpTestClient client, JObject @params, string? bearer = null)
    {
        var request = ModernHttp.Post(client, 1, "tools/call", @params, nameHeader: "introduce");
        if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        var (status, body, _) = await ModernHttp.SendAsync(client, request);
        Assert.Equal(HttpStatusCode.OK, status);
        return body;
    }

    private static readonly JObject NameAnswer = JObject.Parse("""{"action":"accept","content":{"name":"Ada"}}""");
    private static readonly JObject RootsAnswer = JObject.Parse("""{"roots":[{"uri":"file:///src","name":"src"}]}""");

    [Fact]
    public async Task ToolThatAsksItsClient_IsAnsweredInputRequired_AndEachRetryResumesIt_UntilItCompletes()
    {
        await using var server = await StartAsync();
        await using var client = new McpHttpTestClient(server.McpHttpUri);

        var first = (JObject)(await CallAsync(client, Call()))["result"]!;
        var second = (JObject)(await CallAsync(client, Call(new JObject { ["name"] = NameAnswer }, (string)first["requestState"]!)))["result"]!;
        // The last retry carries only the last answer: the name travels in the requestState of the second round.
        var third = (JObject)(await CallAsync(client, Call(new JObject { ["roots-1"] = RootsAnswer }, (string)second["requestState"]!)))["result"]!;

        Assert.Equal("input_required", (string?)first["resultType"]);
        Assert.Equal("elicitation/create", (string?)first["inputRequests"]!["name"]!["method"]);
        Assert.Equal("Who are you, Dr?", (string?)first["inputRequests"]!["name"]!["params"]!["message"]);
        Assert.Equal("input_required", (string?)second["resultType"]);
        Assert.Equal(["roots-1"], ((JObject)second["inputRequests"]!).Properties().Select(p => p.Name));
        Assert.Equal("roots/list", (string?)second["inputRequests"]!["roots-1"]!["method"]);
        Assert.NotEqual((string?)first["requestState"], (string?)second["requestState"]);
        Assert.Equal("complete", (string?)third["resultType"]);
        Assert.Equal("Ada works in file:///src", (string?)third["content"]![0]!["text"]);
    }

    [Fact]
    public async Task ChangedRequestState_IsInvalidParams_NotRun()
    {
        await using var server = await StartAsync();
        await using var client = new McpHttpTestClient(server.McpHttpUri);
        var state = (string)(await CallAsync(client, Call()))["result"]!["requestState"]!;

        // One character of the signed content changed: it no longer matches its signature.
        var changed = (state[0] == 'e' ? 'f' : 'e') + state[1..];
        var answer = await CallAsync(client, Call(new JObject { ["name"] = NameAnswer }, changed));

        Assert.Equal(-32602, (int)answer["error"]!["code"]!);
        Assert.Contains("integrity", (string?)answer["error"]!["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestStateOfAnotherRequest_IsInvalidParams()
    {
        await using var server = await StartAsync();
        await using var client = new McpHttpTestClient(server.McpHttpUri);
        var state = (string)(await CallAsync(client, Call(title: "Dr")))["result"]!["requestState"]!;

        var answer = await CallAsync(client, Call(new JObject { ["name"] = NameAnswer }, state, title: "Prof"));

        Assert.Equal(-32602, (int)answer["error"]!["code"]!);
        Assert.Contains("another request", (string?)answer["error"]!["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task InputResponseToAQuestionTheStateNeverAsked_IsInvalidParams()
    {
        await using var server = await StartAsync();
        await using var client = new McpHttpTestClient(server.McpHttpUri);
        var state = (string)(await CallAsync(client, Call()))["result"]!["requestState"]!;

        var answer = await CallAsync(client, Call(new JObject { ["name"] = NameAnswer, ["roots-1"] = RootsAnswer }, state));

        Assert.Equal(-32602, (int)answer["error"]!["code"]!);
        Assert.Contains("'roots-1'", (string?)answer["error"]!["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task InputResponsesThatAreNotResults_AreInvalidParams()
    {
        await using var server = await StartAsync();
        await using var client = new McpHttpTestClient(server.McpHttpUri);

        var answer = await CallAsync(client, Call(new JObject { ["name"] = 42 }));

        Assert.Equal(-32602, (int)answer["error"]!["code"]!);
        Assert.Contains("inputResponses", (string?)answer["error"]!["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestStateIssuedToOneCaller_IsRefusedForAnother_AndAcceptedForItsOwn()
    {
        await using var server = await StartAsync(
            configureHost: host => host.Services.AddMcpBearerTokenAuthentication(
                [new McpBearerToken { Token = "token-ada", Name = "ada" }, new McpBearerToken { Token = "token-bob", Name = "bob" }]),
            configureApp: app =>
            {
                app.UseAuthentication();
                app.UseAuthorization();
            },
            configureEndpoint: endpoint => endpoint.RequireAuthorization());
        await using var client = new McpHttpTestClient(server.McpHttpUri);
        var state = (string)(await CallAsync(client, Call(), bearer: "token-ada"))["result"]!["requestState"]!;

        var asBob = await CallAsync(client, Call(new JObject { ["name"] = NameAnswer }, state), bearer: "token-bob");
        var asAda = await CallAsync(client, Call(new JObject { ["name"] = NameAnswer }, state), bearer: "token-ada");

        Assert.Equal(-32602, (int)asBob["error"]!["code"]!);
        Assert.Contains("another caller", (string?)asBob["error"]!["message"], StringComparison.Ordinal);
        Assert.Equal("input_required", (string?)asAda["result"]!["resultType"]); // on to its next question
    }
}
