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
    /// Also turns off CoordinatedShutdown's CLR exit hook (unless the app's own HOCON turns it on): on SIGTERM that hook
    /// stops every actor before the host's stop has drained the MCP sockets, so clients got 1011 instead of the drain and
    /// 1001. The host still runs CoordinatedShutdown when it stops (Akka.Hosting does that in its StopAsync).
    /// </summary>
    public static AkkaConfigurationBuilder WithMcpServer(this AkkaConfigurationBuilder builder) => builder
        .AddHocon("akka.coordinated-shutdown.run-by-clr-shutdown-hook = off", HoconAddMode.Append)
        .WithActors((system, registry, resolver) =>
        {
            var runtime = resolver.GetService<McpServerRuntime>()
                ?? throw new InvalidOperationException("WithMcpServer() needs services.AddMcpServer(...) first.");
            var loggers = resolver.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
            var localTools = new LocalTools(loggers);
            var router = system.ActorOf(ToolRouterActor.Props(runtime.Definition, runtime.Options, loggers, localTools), "pmcp-tools");
            registry.Register<ToolRouterActor>(router);
            var server = system.ActorOf(McpServerActor.Props(runtime.Definition, runtime.Options, router, localTools), "pmcp");
            registry.Register<McpServerActor>(server);
        });
}
