using System.Net;
using System.Net.WebSockets;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Tests.Support;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;

namespace Pmcp.Actors.Tests.Security;

/// <summary>A host app's own scheme and <c>RequireAuthorization()</c> on the MCP endpoint; the caller's identity in tools.</summary>
public sealed class HostAuthenticationTests
{
    private static Task<TestServer> StartAsync(bool requireAuthorization = true) => TestServer.StartAsync(
        configureServer: mcp => mcp
            .Tool("whoami", (_, ctx) => Task.FromResult(CallToolResult.Text(new JObject
            {
                ["authenticated"] = ctx.User.Identity?.IsAuthenticated ?? false,
                ["name"] = ctx.User.Identity?.Name,
                ["admin"] = ctx.User.IsInRole("admin"),
                ["scope"] = ctx.User.FindFirst("scope")?.Value,
            }.ToString(Newtonsoft.Json.Formatting.None))))
            .Tool(new McpToolDefinition("admin-only", McpToolDefinition.EmptyInputSchema(), (_, _) => Task.FromResult(CallToolResult.Text("ran")))
            {
                RequiredRoles = ["admin"],
            })
            .Tool(new McpToolDefinition("read-files", McpToolDefinition.EmptyInputSchema(), (_, _) => Task.FromResult(CallToolResult.Text("ran")))
            {
                RequiredScopes = ["files.read"],
            }),
        configureHost: HeaderAuthenticationHandler.AddTo,
        configureApp: HeaderAuthenticationHandler.UseIn,
        configureEndpoint: endpoint =>
        {
            if (requireAuthorization) endpoint.RequireAuthorization();
        });

    private static Action<ClientWebSocketOptions> As(string user) => o => o.SetRequestHeader(HeaderAuthenticationHandler.Header, user);

    [Fact]
    public async Task RequireAuthorization_Answers401BeforeTheUpgrade_WhenTheHostSchemeFindsNoUser()
    {
        await using var server = await StartAsync();

        var status = await UpgradeProbe.TryUpgradeAsync(server.WebSocketUri);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }

    [Fact]
    public async Task RequireAuthorization_Upgrades_WhenTheHostSchemeSignsTheUserIn()
    {
        await using var server = await StartAsync();

        var status = await UpgradeProbe.TryUpgradeAsync(server.WebSocketUri, configure: As("ada"));

        Assert.Equal(HttpStatusCode.SwitchingProtocols, status);
    }

    [Fact]
    public async Task ToolContext_CarriesTheCallersNameRolesAndClaims_WhenAuthenticatedAtTheUpgrade()
    {
        await using var server = await StartAsync();
        await using var client = await server.ConnectAsync(configure: As("ada;admin,ops;files.read files.write"));

        var who = JObject.Parse((await client.CallToolAsync("whoami")).ToolText());

        Assert.True((bool)who["authenticated"]!);
        Assert.Equal("ada", (string?)who["name"]);
        Assert.True((bool)who["admin"]!);
        Assert.Equal("files.read files.write", (string?)who["scope"]);
    }

    [Fact]
    public async Task ToolContext_UserIsAnonymous_WhenTheEndpointHasNoAuthentication()
    {
        await using var server = await TestServer.StartAsync(configureServer: mcp => mcp.Tool("whoami",
            (_, ctx) => Task.FromResult(CallToolResult.Text($"{ctx.User.Identity?.IsAuthenticated}:{ctx.User.Claims.Count()}"))));
        await using var client = await server.ConnectAsync();

        Assert.Equal("False:0", (await client.CallToolAsync("whoami")).ToolText());
    }

    [Fact]
    public async Task RoleRequiredTool_IsRefusedWithAnIsErrorResult_WhenTheCallerLacksTheRole()
    {
        await using var server = await StartAsync();
        await using var client = await server.ConnectAsync(configure: As("bob;ops"));

        var response = await client.CallToolAsync("admin-only");

        Assert.True(response.IsToolError, response.Raw);
        Assert.Equal("Forbidden: tool 'admin-only' requires the role 'admin'.", response.FirstText);
    }

    [Fact]
    public async Task RoleRequiredTool_Runs_WhenTheCallerHasTheRole()
    {
        await using var server = await StartAsync();
        await using var client = await server.ConnectAsync(configure: As("ada;admin"));

        Assert.Equal("ran", (await client.CallToolAsync("admin-only")).ToolText());
    }

    [Fact]
    public async Task ScopeRequiredTool_IsRefusedOrRuns_ByTheCallersScopeClaim()
    {
        await using var server = await StartAsync();
        await using var without = await server.ConnectAsync(configure: As("bob;;files.write"));
        await using var with = await server.ConnectAsync(configure: As("ada;;profile files.read"));

        var refused = await without.CallToolAsync("read-files");
        var allowed = await with.CallToolAsync("read-files");

        Assert.True(refused.IsToolError, refused.Raw);
        Assert.Equal("Forbidden: tool 'read-files' requires the scope 'files.read'.", refused.FirstText);
        Assert.Equal("ran", allowed.ToolText());
    }

    [Fact]
    public async Task RoleRequiredTool_IsListedAndRefused_WhenTheCallerIsAnonymous()
    {
        await using var server = await StartAsync(requireAuthorization: false);
        await using var client = await server.ConnectAsync();

        var tools = (await client.RequestAsync("tools/list")).EnsureSuccess();
        var response = await client.CallToolAsync("admin-only");

        Assert.Contains(tools.Result!["tools"]!, t => (string?)t["name"] == "admin-only");
        Assert.True(response.IsToolError, response.Raw);
    }
}
