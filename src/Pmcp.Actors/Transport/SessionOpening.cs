using Akka.Actor;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Pmcp.Actors.Runtime;
using Pmcp.Actors.Hosting;
using Pmcp.Actors.Security;

namespace Pmcp.Actors.Transport;

/// <summary>
/// What every transport does to open a session, written once: a place at the connection gate (503 when full or
/// shutting down), the caller as authenticated on the HTTP request, and a ConnectionActor for the transport's outlet.
/// </summary>
internal static class SessionOpening
{
    private static readonly TimeSpan OpenTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Takes a place at the gate; false after answering 503. A place taken is given back with <see cref="ConnectionGate.Exit"/>.</summary>
    public static async Task<bool> TryEnterAsync(McpServerRuntime runtime, HttpContext context)
    {
        if (runtime.Gate.TryEnter(out var refusal)) return true;
        await Refusal.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, refusal).ConfigureAwait(false);
        return false;
    }

    /// <summary>Who the request comes from (null: nobody authenticated); a session keeps it for its whole life.</summary>
    /// <remarks>
    /// Read from the authentication feature: with no authentication on the request it holds no user, where
    /// <c>HttpContext.User</c> would make an empty principal and identity on every request only to find nobody in it.
    /// </remarks>
    public static CallerIdentity? Caller(HttpContext context) =>
        context.Features.Get<IHttpAuthenticationFeature>()?.User is { } user ? CallerIdentity.From(user) : null;

    /// <summary>Asks the server actor for a session on <paramref name="outlet"/>; the answer is the ConnectionActor to hand its messages to.</summary>
    public static async Task<IActorRef> OpenAsync(McpServerRuntime runtime, HttpContext context, IConnectionOutlet outlet, CallerIdentity? caller)
    {
        var server = await runtime.ServerActorAsync(context.RequestAborted).ConfigureAwait(false);
        var opened = await server.Ask<McpServerProtocol.ConnectionOpened>(
            new McpServerProtocol.OpenConnection(outlet, context.Connection.RemoteIpAddress + ":" + context.Connection.RemotePort, caller),
            OpenTimeout, context.RequestAborted).ConfigureAwait(false);
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
