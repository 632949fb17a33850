using Akka.Actor;
using Pmcp.Actors.Diagnostics;
using Pmcp.Actors.Runtime;
using Pmcp.Actors.Transport.Forwarding;

namespace Pmcp.Actors.Transport;

/// <summary>
/// What the endpoint's code (both transports, the gate, the 2026 exchange, the in-memory sessions) uses of the server:
/// its options, its gate and budgets, where HTTP sessions live, the pool of 2026 request hosts and the server actor.
/// <see cref="Hosting.McpServerRuntime"/> holds one and hands it over (also through DI), so the transport layer never
/// reaches up into the hosting layer.
/// </summary>
internal sealed class McpEndpointContext(McpServerOptions options, ToolParamHeaderIndex toolParamHeaders, Func<CancellationToken, Task<IActorRef>> serverActor)
{
    public McpServerOptions Options { get; } = options;

    public ConnectionGate Gate { get; } = new(options);

    /// <summary>The sum of all connections' queued outbound bytes, against <see cref="McpServerOptions.MaxOutboundBytesTotal"/>.</summary>
    public ServerOutboundBudget OutboundBudget { get; } = new(options.MaxOutboundBytesTotal);

    /// <summary>Where the server records its metrics (made from the host's <c>IMeterFactory</c>); null: nowhere.</summary>
    public McpMetrics? Metrics { get; set; }

    /// <summary>Where Streamable HTTP sessions live: in a cluster, any gateway serves the sessions of every other.</summary>
    public HttpSessionLocator HttpSessions { get; } = new();

    /// <summary>The tools' <c>x-mcp-header</c> arguments, which 2026-07-28 HTTP requests must mirror in <c>Mcp-Param-*</c> headers.</summary>
    public ToolParamHeaderIndex ToolParamHeaders { get; } = toolParamHeaders;

    /// <summary>The hosts of 2026-07-28 requests waiting for their next request (issue 29: no actor spawned per request).</summary>
    public ModernRequestPool ModernRequestHosts { get; } = new();

    /// <summary>The server actor, once the ActorSystem has started it.</summary>
    public Task<IActorRef> ServerActorAsync(CancellationToken cancellationToken = default) => serverActor(cancellationToken);
}
