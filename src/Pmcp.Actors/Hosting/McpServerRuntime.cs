using Akka.Actor;
using Akka.Hosting;
using Pmcp.Actors.Actors;
using Pmcp.Actors.Tools;
using Pmcp.Actors.Transport;

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
}
