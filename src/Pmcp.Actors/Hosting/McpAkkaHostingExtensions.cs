using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pmcp.Actors.Actors;

namespace Pmcp.Actors.Hosting;

public static class McpAkkaHostingExtensions
{
    /// <summary>
    /// Starts the MCP actors in this ActorSystem: the tool router at <c>/user/pmcp-tools</c> and the server actor at
    /// <c>/user/pmcp</c>, both registered in the ActorRegistry. Needs <c>services.AddMcpServer(...)</c>.
    /// </summary>
    public static AkkaConfigurationBuilder WithMcpServer(this AkkaConfigurationBuilder builder) =>
        builder.WithActors((system, registry, resolver) =>
        {
            var runtime = resolver.GetService<McpServerRuntime>()
                ?? throw new InvalidOperationException("WithMcpServer() needs services.AddMcpServer(...) first.");
            var loggers = resolver.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
            var router = system.ActorOf(ToolRouterActor.Props(runtime.Definition, runtime.Options, loggers), "pmcp-tools");
            registry.Register<ToolRouterActor>(router);
            var server = system.ActorOf(McpServerActor.Props(runtime.Definition, runtime.Options, router), "pmcp");
            registry.Register<McpServerActor>(server);
        });
}
