using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Pmcp.Actors.Security;

/// <summary>One accepted bearer token and who it stands for.</summary>
public sealed class McpBearerToken
{
    /// <summary>The secret the client sends as <c>Authorization: Bearer &lt;token&gt;</c>.</summary>
    public string Token { get; set; } = "";

    /// <summary>The caller's name (<c>ctx.User.Identity.Name</c>); default <c>token-&lt;n&gt;</c>, its 1-based position.</summary>
    public string? Name { get; set; }

    /// <summary>Roles the caller gets (for <c>RequiredRoles</c> and <c>IsInRole</c>).</summary>
    public List<string> Roles { get; set; } = [];

    /// <summary>OAuth-style scopes the caller gets (one <c>scope</c> claim, space-separated; for <c>RequiredScopes</c>).</summary>
    public List<string> Scopes { get; set; } = [];
}

/// <summary>Options of <see cref="McpBearerTokenHandler"/>: the static list of accepted tokens.</summary>
public sealed class McpBearerTokenOptions : AuthenticationSchemeOptions
{
    private (byte[] Hash, McpBearerToken Token, string Name)[]? _hashed;

    public List<McpBearerToken> Tokens { get; set; } = [];

    /// <summary>The tokens' SHA-256 hashes, computed once: requests are compared against hashes, never the secrets.</summary>
    internal (byte[] Hash, McpBearerToken Token, string Name)[] Hashed() => _hashed ??= Tokens
        .Select((t, i) => (SHA256.HashData(Encoding.UTF8.GetBytes(t.Token)), t, t.Name ?? $"token-{i + 1}"))
        .ToArray();
}

/// <summary>
/// A bearer-token scheme for a static list of tokens (the standalone server's; usable by any host app). The presented
/// token's SHA-256 hash is compared with every configured token's hash in constant time
/// (<see cref="CryptographicOperations.FixedTimeEquals"/>), so neither the match nor its position leaks through timing.
/// No <c>Authorization</c> header: no result (the policy's challenge answers 401); a wrong token: failure, 401 with
/// <c>WWW-Authenticate: Bearer error="invalid_token"</c>.
/// </summary>
public sealed class McpBearerTokenHandler(IOptionsMonitor<McpBearerTokenOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<McpBearerTokenOptions>(options, logger, encoder)
{
    public const string SchemeName = "McpBearer";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return Task.FromResult(AuthenticateResult.NoResult());
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim()));

        (McpBearerToken Token, string Name)? match = null;
        foreach (var (hash, token, name) in Options.Hashed())
        {
            if (CryptographicOperations.FixedTimeEquals(hash, presented) && match is null) match = (token, name); // no early exit
        }
        if (match is not { } found) return Task.FromResult(AuthenticateResult.Fail("invalid bearer token"));

        var claims = new List<Claim> { new(ClaimTypes.Name, found.Name) };
        claims.AddRange(found.Token.Roles.Select(r => new Claim(ClaimTypes.Role, r)));
        if (found.Token.Scopes.Count > 0) claims.Add(new Claim(CallerIdentity.ScopeClaimType, string.Join(' ', found.Token.Scopes)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme.Name));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync().ConfigureAwait(false);
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = result.Failure is null ? "Bearer" : "Bearer error=\"invalid_token\"";
    }
}

public static class McpBearerTokenExtensions
{
    /// <summary>Adds <see cref="McpBearerTokenHandler"/> under <see cref="McpBearerTokenHandler.SchemeName"/>.</summary>
    public static AuthenticationBuilder AddMcpBearerTokens(this AuthenticationBuilder builder, Action<McpBearerTokenOptions> configure) =>
        builder.AddScheme<McpBearerTokenOptions, McpBearerTokenHandler>(McpBearerTokenHandler.SchemeName, configure);

    /// <summary>
    /// Bearer-token authentication and the authorization services, with <see cref="McpBearerTokenHandler"/> as the
    /// default scheme. Then map the endpoint with <c>MapMcpWebSocket().RequireAuthorization()</c>.
    /// </summary>
    public static IServiceCollection AddMcpBearerTokenAuthentication(this IServiceCollection services, IEnumerable<McpBearerToken> tokens)
    {
        var list = tokens.ToList();
        if (list.Any(t => string.IsNullOrWhiteSpace(t.Token))) throw new ArgumentException("A bearer token must not be empty.");
        services.AddAuthentication(McpBearerTokenHandler.SchemeName).AddMcpBearerTokens(o => o.Tokens = list);
        services.AddAuthorization();
        return services;
    }
}
