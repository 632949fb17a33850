using System.Security.Claims;

namespace Pmcp.Actors.Security;

/// <summary>One claim of the caller, as plain strings.</summary>
public readonly record struct CallerClaim(string Type, string Value);

/// <summary>
/// The authenticated caller of a connection, taken from <c>HttpContext.User</c> at the upgrade. It travels in actor
/// messages as plain strings (messages may cross nodes: no <see cref="ClaimsPrincipal"/> in them) and is rebuilt into a
/// <see cref="ClaimsPrincipal"/> for each call (<c>ToolContext.User</c>).
/// </summary>
public sealed record CallerIdentity(
    string AuthenticationType,
    IReadOnlyList<CallerClaim> Claims,
    string NameClaimType = ClaimTypes.Name,
    string RoleClaimType = ClaimTypes.Role)
{
    /// <summary>The caller of <paramref name="user"/>'s first authenticated identity; null when nobody is authenticated.</summary>
    public static CallerIdentity? From(ClaimsPrincipal? user)
    {
        var identity = user?.Identities.FirstOrDefault(i => i.IsAuthenticated);
        if (identity is null) return null;
        var claims = user!.Identities.Where(i => i.IsAuthenticated)
            .SelectMany(i => i.Claims)
            .Select(c => new CallerClaim(c.Type, c.Value))
            .ToArray();
        return new CallerIdentity(identity.AuthenticationType!, claims, identity.NameClaimType, identity.RoleClaimType);
    }

    /// <summary>The principal a tool sees; <see cref="Anonymous"/> for a null identity.</summary>
    public static ClaimsPrincipal ToPrincipal(CallerIdentity? caller) => caller is null
        ? Anonymous()
        : new ClaimsPrincipal(new ClaimsIdentity(
            caller.Claims.Select(c => new Claim(c.Type, c.Value)), caller.AuthenticationType, caller.NameClaimType, caller.RoleClaimType));

    /// <summary>An unauthenticated principal (no claims; <c>Identity.IsAuthenticated</c> is false).</summary>
    public static ClaimsPrincipal Anonymous() => new(new ClaimsIdentity());

    /// <summary>The OAuth scopes of <paramref name="user"/>: the space-separated values of its <c>scope</c> and <c>scp</c> claims.</summary>
    public static IReadOnlySet<string> Scopes(ClaimsPrincipal user) => user.Claims
        .Where(c => c.Type is ScopeClaimType or "scp" or "http://schemas.microsoft.com/identity/claims/scope")
        .SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        .ToHashSet(StringComparer.Ordinal);

    /// <summary>The claim type that carries scopes (space-separated, as OAuth 2.0 access tokens do).</summary>
    public const string ScopeClaimType = "scope";
}
