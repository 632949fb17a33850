using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Pmcp.Actors.Tests.Support;

/// <summary>
/// A host app's own authentication scheme, for tests: <c>X-Test-User: name;role1,role2;scope1 scope2</c> signs in
/// <c>name</c> with those roles and that <c>scope</c> claim; no header, no user.
/// </summary>
internal sealed class HeaderAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "TestHeader";
    public const string Header = "X-Test-User";

    /// <summary>A test host's authentication and authorization services, with this scheme as the default.</summary>
    public static void AddTo(WebApplicationBuilder host)
    {
        host.Services.AddAuthentication(SchemeName).AddScheme<AuthenticationSchemeOptions, HeaderAuthenticationHandler>(SchemeName, null);
        host.Services.AddAuthorization();
    }

    /// <summary>The app's authentication and authorization middleware, before the MCP endpoint.</summary>
    public static void UseIn(WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
    }

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(Header, out var value)) return Task.FromResult(AuthenticateResult.NoResult());
        var parts = value.ToString().Split(';');
        var claims = new List<Claim> { new(ClaimTypes.Name, parts[0]) };
        if (parts.Length > 1) claims.AddRange(parts[1].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(r => new Claim(ClaimTypes.Role, r)));
        if (parts.Length > 2) claims.Add(new Claim("scope", parts[2]));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }
}
