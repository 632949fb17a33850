using Akka.Actor;
using Akka.Hosting;
using Pmcp.Actors.Messages;
using Pmcp.Actors.Runtime;
using Pmcp.Actors.Tools;
using Pmcp.Actors.Transport;
using Newtonsoft.Json.Linq;
using Pmcp.Protocol;
using Pmcp.Actors.Transport.Forwarding;

namespace Pmcp.Actors.Hosting;

/// <summary>What the MCP endpoint (WebSocket and Streamable HTTP) and the shutdown hook share: the server's description, its options and its gate.</summary>
public sealed class McpServerRuntime(McpServerDefinition definition, McpServerOptions options, ActorRegistry registry)
{
    public McpServerDefinition Definition { get; } = definition;

    public McpServerOptions Options { get; } = options;

    /// <summary>What the transports use of the server (also in DI, for <c>MapMcp</c>).</summary>
    internal McpEndpointContext Endpoint { get; } =
        new(options, new ToolParamHeaderIndex(definition.Tools), cancellationToken => registry.GetAsync<McpServerActor>(cancellationToken));

    internal ConnectionGate Gate => Endpoint.Gate;

    /// <summary>The sum of all connections' queued outbound bytes, against <see cref="McpServerOptions.MaxOutboundBytesTotal"/>.</summary>
    internal ServerOutboundBudget OutboundBudget => Endpoint.OutboundBudget;

    /// <summary>Where the server records its metrics (made from the host's <c>IMeterFactory</c>); null: nowhere.</summary>
    internal Diagnostics.McpMetrics? Metrics
    {
        get => Endpoint.Metrics;
        init => Endpoint.Metrics = value;
    }

    /// <summary>How this node takes part in a cluster; null when it runs alone. Set when the ActorSystem starts the MCP actors.</summary>
    public Cluster.McpClusterOptions? Cluster { get; internal set; }

    /// <summary>Where Streamable HTTP sessions live: in a cluster, any gateway serves the sessions of every other.</summary>
    internal HttpSessionLocator HttpSessions => Endpoint.HttpSessions;

    /// <summary>The tools' <c>x-mcp-header</c> arguments, which 2026-07-28 HTTP requests must mirror in <c>Mcp-Param-*</c> headers.</summary>
    internal ToolParamHeaderIndex ToolParamHeaders => Endpoint.ToolParamHeaders;

    /// <summary>The hosts of 2026-07-28 requests waiting for their next request (issue 29: no actor spawned per request).</summary>
    internal ModernRequestPool ModernRequestHosts => Endpoint.ModernRequestHosts;

    /// <summary>The server actor, once the ActorSystem has started it.</summary>
    internal Task<IActorRef> ServerActorAsync(CancellationToken cancellationToken = default) => Endpoint.ServerActorAsync(cancellationToken);

    /// <summary>The tool router (<c>/user/pmcp-tools</c>), once the ActorSystem has started it.</summary>
    internal Task<IActorRef> ToolRouterAsync(CancellationToken cancellationToken = default) =>
        registry.GetAsync<ToolRouterActor>(cancellationToken);

    /// <summary>
    /// Adds a tool while the server runs, or replaces the one with the same name; every initialized session gets
    /// <c>notifications/tools/list_changed</c>. Calls already running keep the old definition.
    /// </summary>
    public Task AddToolAsync(McpToolDefinition tool, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tool);
        ToolParamHeaders.Set(tool); // before the tool is callable, so no call to it goes unchecked
        return UpdateAsync(new ToolRouterProtocol.AddTool(tool), cancellationToken);
    }

    /// <summary>Removes a tool; false when none had that name. Sessions are told as for <see cref="AddToolAsync"/>.</summary>
    public async Task<bool> RemoveToolAsync(string name, CancellationToken cancellationToken = default)
    {
        var removed = await UpdateAsync(new ToolRouterProtocol.RemoveTool(name), cancellationToken).ConfigureAwait(false);
        ToolParamHeaders.Remove(name);
        return removed;
    }

    /// <summary>
    /// Adds (or replaces) a resource, resource template or prompt while the server runs; every initialized session gets
    /// <c>notifications/resources/list_changed</c> or <c>notifications/prompts/list_changed</c>. The capability must
    /// have been announced: register at least one of the kind when building the server.
    /// </summary>
    public Task AddResourceAsync(McpResourceDefinition resource, CancellationToken cancellationToken = default) => UpdateAsync(new ToolRouterProtocol.AddFeature(resource), cancellationToken);

    public Task AddResourceTemplateAsync(McpResourceTemplateDefinition template, CancellationToken cancellationToken = default)
    {
        _ = template.Matcher; // an unsupported template fails here
        return UpdateAsync(new ToolRouterProtocol.AddFeature(template), cancellationToken);
    }

    public Task AddPromptAsync(McpPromptDefinition prompt, CancellationToken cancellationToken = default) => UpdateAsync(new ToolRouterProtocol.AddFeature(prompt), cancellationToken);

    /// <summary>Removes the resource at <paramref name="uri"/>; false when there was none.</summary>
    public Task<bool> RemoveResourceAsync(string uri, CancellationToken cancellationToken = default) => UpdateAsync(new ToolRouterProtocol.RemoveFeature("resources", uri), cancellationToken);

    public Task<bool> RemovePromptAsync(string name, CancellationToken cancellationToken = default) => UpdateAsync(new ToolRouterProtocol.RemoveFeature("prompts", name), cancellationToken);

    private async Task<bool> UpdateAsync(object message, CancellationToken cancellationToken)
    {
        var router = await registry.GetAsync<ToolRouterActor>(cancellationToken).ConfigureAwait(false);
        return (await router.Ask<ToolRouterProtocol.ToolsUpdated>(message, AskTimeout, cancellationToken).ConfigureAwait(false)).Changed;
    }

    /// <summary>Tells every session subscribed to <paramref name="uri"/> (<c>resources/subscribe</c>) that the resource changed.</summary>
    public async Task NotifyResourceUpdatedAsync(string uri, CancellationToken cancellationToken = default)
    {
        await BroadcastAsync(new McpServerProtocol.BroadcastResourceUpdated(uri), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends <c>notifications/message</c> to every session whose log level admits <paramref name="level"/>.</summary>
    public async Task LogToClientsAsync(string level, JToken data, string? logger = null, CancellationToken cancellationToken = default)
    {
        if (LoggingLevels.Rank(level) < 0) throw new ArgumentException($"Unknown log level '{level}'.", nameof(level));
        await BroadcastAsync(new McpServerProtocol.BroadcastLog(level, logger, data.ToString(Newtonsoft.Json.Formatting.None)), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>To this node's sessions, or in a cluster to the sessions of every gateway.</summary>
    private async Task BroadcastAsync(IMcpWireMessage message, CancellationToken cancellationToken)
    {
        if (registry.TryGet<ClusterBroadcastActor>(out var broadcaster))
        {
            broadcaster.Tell(new ClusterBroadcastActor.PublishToCluster(message));
            return;
        }
        var server = await ServerActorAsync(cancellationToken).ConfigureAwait(false);
        server.Tell(message);
    }

    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);
}
