using System.Net.WebSockets;
using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Pmcp.Actors.Transport;

public static class McpEndpointRouteBuilderExtensions
{
    /// <summary>The WebSocket subprotocol the MCP SDK clients ask for; echoed when offered.</summary>
    public const string SubProtocol = "mcp";

    /// <summary>
    /// Serves MCP at <paramref name="path"/> (default: <see cref="McpServerOptions.Path"/>) over both transports: a GET
    /// with a WebSocket upgrade becomes a WebSocket connection, and POST, GET (<c>Accept: text/event-stream</c>) and
    /// DELETE speak Streamable HTTP (MCP 2025-11-25). Both kinds of session run on the same ConnectionActor, so a client
    /// picks its transport. Statuses before any session: README, "Outcomes".
    /// </summary>
    public static IEndpointConventionBuilder MapMcp(this IEndpointRouteBuilder endpoints, string? path = null) =>
        Map(endpoints, path, streamableHttp: true);

    /// <summary>
    /// Accepts MCP WebSocket connections only at <paramref name="path"/> (default: <see cref="McpServerOptions.Path"/>).
    /// Before the upgrade: 403 for a browser origin not in <see cref="McpServerOptions.AllowedOrigins"/>, 426 for a plain
    /// HTTP request, 503 at the connection limit or during shutdown. <see cref="MapMcp"/> adds Streamable HTTP beside it.
    /// </summary>
    public static IEndpointConventionBuilder MapMcpWebSocket(this IEndpointRouteBuilder endpoints, string? path = null) =>
        Map(endpoints, path, streamableHttp: false);

    private static IEndpointConventionBuilder Map(IEndpointRouteBuilder endpoints, string? path, bool streamableHttp)
    {
        var runtime = endpoints.ServiceProvider.GetService<McpEndpointContext>()
            ?? throw new InvalidOperationException("MapMcp needs the MCP server's services: call services.AddMcpServer(...) (and WithMcpServer on the ActorSystem) first.");
        var loggers = endpoints.ServiceProvider.GetRequiredService<ILoggerFactory>();
        var logger = loggers.CreateLogger("Pmcp.Actors.WebSocket");
        var app = endpoints.CreateApplicationBuilder();
        // Only a request that can be upgraded (HTTP/1.1 Upgrade, or HTTP/2's extended CONNECT) goes through the WebSocket
        // middleware: it sets a handshake feature on every request it sees, one more object per Streamable HTTP POST (issue 29).
        app.UseWhen(CanBeWebSocket, branch => branch.UseWebSockets());
        var origins = new OriginPolicy(runtime.Options.AllowedOrigins);
        StreamableHttpEndpoint? http = null;
        if (streamableHttp)
        {
            var stopping = endpoints.ServiceProvider.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;
            var sessions = new StreamableHttpSessions(runtime.Options, stopping);
            runtime.HttpSessions.Attach(sessions); // in a cluster, requests other gateways receive for them are served too
            http = new StreamableHttpEndpoint(runtime, sessions, loggers.CreateLogger("Pmcp.Actors.StreamableHttp"));
        }
        app.Run(context => HandleAsync(context, runtime, origins, http, logger));
        return endpoints.Map(path ?? runtime.Options.Path, app.Build());
    }

    private static bool CanBeWebSocket(HttpContext context) =>
        context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true }
        || context.Features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true };

    // Not async itself: a Streamable HTTP request is handed on as the endpoint's own task, so that every POST does not
    // also box this method's state machine, which the WebSocket branch's locals make large (issue 29).
    private static Task HandleAsync(HttpContext context, McpEndpointContext runtime, OriginPolicy origins, StreamableHttpEndpoint? http, ILogger logger)
    {
        var origin = context.Request.Headers.Origin.ToString();
        if (!origins.IsAllowed(origin))
        {
            logger.LogInformation("Refused a request from origin {Origin} (not in AllowedOrigins)", origin);
            return Refusal.WriteAsync(context, StatusCodes.Status403Forbidden, "Origin not allowed.");
        }

        if (!context.WebSockets.IsWebSocketRequest)
        {
            if (http is not null) return http.HandleAsync(context);
            context.Response.Headers.Upgrade = "websocket";
            return Refusal.WriteAsync(context, StatusCodes.Status426UpgradeRequired,
                "This endpoint speaks MCP over WebSocket: connect with a WebSocket client (subprotocol \"mcp\").");
        }

        return ServeWebSocketAsync(context, runtime, logger);
    }

    private static async Task ServeWebSocketAsync(HttpContext context, McpEndpointContext runtime, ILogger logger)
    {
        var caller = SessionOpening.Caller(context);
        if (await SessionOpening.TryEnterAsync(runtime, context, caller).ConfigureAwait(false) is not { } place) return;
        try
        {
            var options = runtime.Options;
            var offered = context.WebSockets.WebSocketRequestedProtocols.Contains(SubProtocol, StringComparer.Ordinal);
            using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
            {
                SubProtocol = offered ? SubProtocol : null,
                KeepAliveInterval = options.KeepAliveInterval,
                KeepAliveTimeout = options.KeepAliveInterval > TimeSpan.Zero && options.KeepAliveTimeout > TimeSpan.Zero
                    ? options.KeepAliveTimeout
                    : Timeout.InfiniteTimeSpan,
            }).ConfigureAwait(false);

            var connection = new WebSocketConnection(socket, options, logger, runtime.Metrics, runtime.OutboundBudget);
            var actor = await SessionOpening.OpenAsync(runtime, context, connection, caller).ConfigureAwait(false);
            place.Hold(connection);
            await connection.RunAsync(actor, context.RequestAborted).ConfigureAwait(false);
        }
        finally
        {
            place.Release();
        }
    }
}
