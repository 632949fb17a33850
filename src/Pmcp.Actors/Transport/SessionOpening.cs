using Akka.Actor;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Pmcp.Actors.Runtime;
using Pmcp.Actors.Security;
using Pmcp.Actors.Session;

namespace Pmcp.Actors.Transport;

/// <summary>
/// What every transport does to open a session, written once: a place at the connection gate (503 when full or
/// shutting down, 429 over the client's own limits), the caller as authenticated on the HTTP request, and a
/// ConnectionActor for the transport's outlet.
/// </summary>
internal static class SessionOpening
{
    private static readonly TimeSpan OpenTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Takes a place at the gate for the request's client; null after answering 503 or 429 (with <c>Retry-After</c>).
    /// <paramref name="startsSession"/>: the request starts a session, counted against the client's session starts.
    /// A place taken is given back with <see cref="GatePlace.Release"/>.
    /// </summary>
    /// <param name="caller">The request's <see cref="Caller"/>, which the client's key names when it is authenticated.</param>
    /// <remarks>A place taken is the usual answer, and is given without a task: every 2026-07-28 request takes one (issue 29).</remarks>
    public static ValueTask<GatePlace?> TryEnterAsync(McpEndpointContext runtime, HttpContext context, CallerIdentity? caller, bool startsSession = true)
    {
        var admission = runtime.Gate.TryEnter(ClientKey.For(context.Connection.RemoteIpAddress, caller), startsSession);
        return admission.Place is { } place ? new(place) : new(RefuseAsync(runtime, context, admission));
    }

    private static async Task<GatePlace?> RefuseAsync(McpEndpointContext runtime, HttpContext context, GateAdmission admission)
    {
        var status = StatusCodes.Status503ServiceUnavailable;
        if (admission.Refusal is GateRefusal.ClientFull or GateRefusal.TooManyStarts)
        {
            status = StatusCodes.Status429TooManyRequests;
            runtime.Metrics?.RateLimitedOne(admission.Refusal == GateRefusal.TooManyStarts ? "session_starts" : "client_sessions");
            context.Response.Headers.RetryAfter = ((long)Math.Ceiling(admission.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        await Refusal.WriteAsync(context, status, admission.Text).ConfigureAwait(false);
        return null;
    }

    /// <summary>Who the request comes from (null: nobody authenticated); a session keeps it for its whole life.</summary>
    /// <remarks>
    /// Read from the authentication feature: with no authentication on the request it holds no user, where
    /// <c>HttpContext.User</c> would make an empty principal and identity on every request only to find nobody in it.
    /// </remarks>
    public static CallerIdentity? Caller(HttpContext context) =>
        context.Features.Get<IHttpAuthenticationFeature>()?.User is { } user ? CallerIdentity.From(user) : null;

    /// <summary>Asks the server actor for a session on <paramref name="outlet"/>; the answer is the ConnectionActor to hand its messages to.</summary>
    public static async Task<IActorRef> OpenAsync(McpEndpointContext runtime, HttpContext context, IConnectionOutlet outlet, CallerIdentity? caller)
    {
        var server = await runtime.ServerActorAsync(context.RequestAborted).ConfigureAwait(false);
        var opened = await server.Ask<McpServerProtocol.ConnectionOpened>(
            new McpServerProtocol.OpenConnection(outlet, context.Connection.RemoteIpAddress + ":" + context.Connection.RemotePort, caller),
            OpenTimeout, context.RequestAborted).ConfigureAwait(false);
        return opened.Connection;
    }

    /// <summary>
    /// A host for one 2026-07-28 request: one waiting in the pool (no await, so that it is handed its request before
    /// anything else can reach it), or else a new one from the server actor.
    /// </summary>
    public static ValueTask<IActorRef> RequestHostAsync(McpEndpointContext runtime, HttpContext context) =>
        runtime.ModernRequestHosts.TryTake(out var host) ? new(host) : new(NewRequestHostAsync(runtime, context));

    private static async Task<IActorRef> NewRequestHostAsync(McpEndpointContext runtime, HttpContext context)
    {
        var server = await runtime.ServerActorAsync(context.RequestAborted).ConfigureAwait(false);
        var opened = await server.Ask<McpServerProtocol.ConnectionOpened>(McpServerProtocol.OpenRequestHost.Instance, OpenTimeout, context.RequestAborted).ConfigureAwait(false);
        return opened.Connection;
    }
}

/// <summary>A refusal before any session: an HTTP status with a one-line plain-text reason (README, "Outcomes").</summary>
internal static class Refusal
{
    public static Task WriteAsync(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text + "\n", context.RequestAborted);
    }
}
