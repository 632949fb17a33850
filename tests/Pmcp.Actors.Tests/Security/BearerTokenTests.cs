using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Security;
using Pmcp.Actors.Tests.Support;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;

namespace Pmcp.Actors.Tests.Security;

/// <summary>The static bearer-token scheme (McpBearerTokenHandler) in front of the MCP endpoint.</summary>
public sealed class BearerTokenTests
{
    private static Task<TestServer> StartAsync() => TestServer.StartAsync(
        configureServer: mcp => mcp
            .Tool("whoami", (_, ctx) => Task.FromResult(CallToolResult.Text(
                $"{ctx.User.Identity?.Name}|{ctx.User.IsInRole("admin")}|{ctx.User.FindFirst("scope")?.Value}")))
            .Tool(new McpToolDefinition("admin-only", McpToolDefinition.EmptyInputSchema(), (_, _) => Task.FromResult(CallToolResult.Text("ran")))
            {
                RequiredRoles = ["admin"],
            }),
        configureHost: host => host.Services.AddMcpBearerTokenAuthentication(
        [
            new McpBearerToken { Token = "s3cret-admin", Name = "ada", Roles = ["admin"], Scopes = ["files.read", "files.write"] },
            new McpBearerToken { Token = "s3cret-reader" },
        ]),
        configureApp: app =>
        {
            app.UseAuthentication();
            app.UseAuthorization();
        },
        configureEndpoint: endpoint => endpoint.RequireAuthorization());

    private static Action<ClientWebSocketOptions> Bearer(string token) => o => o.SetRequestHeader("Authorization", "Bearer " + token);

    [Fact]
    public async Task Endpoint_Answers401WithABearerChallenge_WhenNoTokenIsSent()
    {
        await using var server = await StartAsync();

        var (status, headers) = await UpgradeProbe.TryUpgradeWithHeadersAsync(server.WebSocketUri);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("Bearer", Assert.Single(headers!["WWW-Authenticate"]));
    }

    [Theory]
    [InlineData("wrong")]
    [InlineData("s3cret-admin ")] // trimmed: still right
    [InlineData("s3cret-admi")]
    [InlineData("S3CRET-ADMIN")]
    public async Task Endpoint_Answers401InvalidToken_WhenTheTokenIsWrong(string token)
    {
        await using var server = await StartAsync();

        var (status, headers) = await UpgradeProbe.TryUpgradeWithHeadersAsync(server.WebSocketUri, configure: Bearer(token));

        if (token.Trim() == "s3cret-admin")
        {
            Assert.Equal(HttpStatusCode.SwitchingProtocols, status);
            return;
        }
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("Bearer error=\"invalid_token\"", Assert.Single(headers!["WWW-Authenticate"]));
    }

    [Fact]
    public async Task ToolContext_CarriesTheTokensNameRolesAndScopes_WhenTheTokenIsRight()
    {
        await using var server = await StartAsync();
        await using var admin = await server.ConnectAsync(configure: Bearer("s3cret-admin"));
        await using var reader = await server.ConnectAsync(configure: Bearer("s3cret-reader"));

        Assert.Equal("ada|True|files.read files.write", (await admin.CallToolAsync("whoami")).ToolText());
        Assert.Equal("token-2|False|", (await reader.CallToolAsync("whoami")).ToolText());
        Assert.Equal("ran", (await admin.CallToolAsync("admin-only")).ToolText());
        Assert.True((await reader.CallToolAsync("admin-only")).IsToolError);
    }

    [Fact]
    public void AddMcpBearerTokenAuthentication_Throws_WhenATokenIsEmpty()
    {
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();

        Assert.Throws<ArgumentException>(() => services.AddMcpBearerTokenAuthentication([new McpBearerToken { Token = " " }]));
    }
}
