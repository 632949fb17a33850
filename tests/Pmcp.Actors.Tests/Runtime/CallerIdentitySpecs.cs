using System.Security.Claims;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Microsoft.Extensions.Logging.Abstractions;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Messages;
using Pmcp.Actors.Runtime;
using Pmcp.Actors.Security;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using Xunit.Abstractions;
using static Pmcp.Actors.Messages.ToolRouterProtocol;

namespace Pmcp.Actors.Tests.Runtime;

/// <summary>The caller's identity on its way from the connection through the router to the tool.</summary>
public sealed class CallerIdentitySpecs(ITestOutputHelper output) : TestKit(output: output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    private static readonly CallerIdentity Ada = new("test", [new(ClaimTypes.Name, "ada"), new(ClaimTypes.Role, "ops"), new("scope", "a b")]);

    private IActorRef Router(params McpToolDefinition[] tools)
    {
        var builder = new McpServerBuilder();
        foreach (var tool in tools) builder.Tool(tool);
        return Sys.ActorOf(ToolRouterActor.Props(builder.Build(), new McpServerOptions(), NullLoggerFactory.Instance));
    }

    private static McpToolDefinition Tool(string name, McpToolHandler handler) => new(name, McpToolDefinition.EmptyInputSchema(), handler);

    private static CallTool Call(string tool, CallerIdentity? caller) => new(new CallKey(1, 1), new RequestId(1), tool, "{}", WantsProgress: false, caller);

    [Fact]
    public async Task Router_RefusesBeforeTheHandlerRuns_WhenTheCallerLacksARequiredRole()
    {
        var ran = false;
        var router = Router(Tool("purge", (_, _) => { ran = true; return Task.FromResult(CallToolResult.Text("ran")); }) with { RequiredRoles = ["ops", "admin"] });

        router.Tell(Call("purge", Ada));

        var done = await ExpectMsgAsync<CallAnswered>(Wait);
        var result = done.Result();
        Assert.True((bool)result["isError"]!);
        Assert.Equal("Forbidden: tool 'purge' requires the role 'admin'.", (string?)result["content"]![0]!["text"]);
        Assert.False(ran);
    }

    [Fact]
    public async Task Worker_RebuildsTheCallersPrincipal_ForTheTool()
    {
        var router = Router(Tool("who", (_, ctx) => Task.FromResult(CallToolResult.Text(
            $"{ctx.User.Identity!.IsAuthenticated}|{ctx.User.Identity.AuthenticationType}|{ctx.User.Identity.Name}|{ctx.User.IsInRole("ops")}|{string.Join(",", CallerIdentity.Scopes(ctx.User).Order())}"))) with { RequiredScopes = ["b"] });

        router.Tell(Call("who", Ada));

        var done = await ExpectMsgAsync<CallAnswered>(Wait);
        Assert.Equal("True|test|ada|True|a,b", (string?)done.Result()["content"]![0]!["text"]);
    }

    [Fact]
    public async Task Connection_PutsItsCallerIntoEveryCallTool()
    {
        var router = CreateTestProbe();
        var socket = CreateTestProbe();
        var connection = Sys.ActorOf(ConnectionActor.Props(1, new McpServerBuilder().Tool(Tool("x", (_, _) => Task.FromResult(CallToolResult.Text("")))).Build(),
            new McpServerOptions(), router, new ProbeOutlet(socket), Ada));
        connection.Tell(new ConnectionProtocol.Inbound("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{}}}"));
        await socket.ExpectMsgAsync<ProbeOutlet.Sent>(Wait);

        connection.Tell(new ConnectionProtocol.Inbound("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"x\"}}"));

        var call = await router.ExpectMsgAsync<CallTool>(Wait);
        Assert.Same(Ada, call.Caller);
    }

    [Fact]
    public void CallerIdentity_IsNull_WhenNobodyIsAuthenticated()
    {
        Assert.Null(CallerIdentity.From(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "x")]))));
        Assert.False(CallerIdentity.ToPrincipal(null).Identity!.IsAuthenticated);
    }
}
