using Akka.Actor;
using Akka.Hosting;
using Pmcp.Actors.Actors;
using Pmcp.Actors.Tools;
using Pmcp.Actors.Transport;
using Newtonsoft.Json.Linq;
using Pmcp.Protocol;

namespace Pmcp.Actors.Hosting;

/// <summary>What the WebSocket endpoint and the shutdown hook share: the server's description, its options and its gate.</summary>
public sealed class McpServerRuntime(McpServerDefinition definition, McpServerOptions options, ActorRegistry registry)
{
    public McpServerDefinition Definition { get; } = definition;

    public McpServerOptions Options { get; } = options;

    public ConnectionGate Gate { get; } = new(options);

    /// <summary>The server actor, once the ActorSystem has started it.</summary>
    public Task<IActorRef> ServerActorAsync(CancellationToken cancellationToken = default) =>
        registry.GetAsync<McpServerActor>(cancellationToken);

    /// <summary>
    /// Adds a tool while the server runs, or replaces the one with the same name; every initialized session gets
    /// <c>notifications/tools/list_changed</c>. Calls already running keep the old definition.
    /// </summary>
    public async Task AddToolAsync(McpToolDefinition tool, CancellationToken cancellationToken = default)
    {
        var router = await registry.GetAsync<ToolRouterActor>(cancellationToken).ConfigureAwait(false);
        await router.Ask<ToolRouterProtocol.ToolsUpdated>(new ToolRouterProtocol.AddTool(tool), AskTimeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes a tool; false when none had that name. Sessions are told as for <see cref="AddToolAsync"/>.</summary>
    public async Task<bool> RemoveToolAsync(string name, CancellationToken cancellationToken = default)
    {
        var router = await registry.GetAsync<ToolRouterActor>(cancellationToken).ConfigureAwait(false);
        var updated = await router.Ask<ToolRouterProtocol.ToolsUpdated>(new ToolRouterProtocol.RemoveTool(name), AskTimeout, cancellationToken).ConfigureAwait(false);
        return updated.Changed;
    }

    /// <summary>Tells every session subscribed to <paramref name="uri"/> (<c>resources/subscribe</c>) that the resource changed.</summary>
    public async Task NotifyResourceUpdatedAsync(string uri, CancellationToken cancellationToken = default)
    {
        var server = await ServerActorAsync(cancellationToken).ConfigureAwait(false);
        server.Tell(new McpServerProtocol.BroadcastResourceUpdated(uri));
    }

    /// <summary>Sends <c>notifications/message</c> to every session whose log level admits <paramref name="level"/>.</summary>
    public async Task LogToClientsAsync(string level, JToken data, string? logger = null, CancellationToken cancellationToken = default)
    {
        if (LoggingLevels.Rank(level) < 0) throw new ArgumentException($"Unknown log level '{level}'.", nameof(level));
        var server = await ServerActorAsync(cancellationToken).ConfigureAwait(false);
        server.Tell(new McpServerProtocol.BroadcastLog(level, logger, data.ToString(Newtonsoft.Json.Formatting.None)));
    }

    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);
}
