using Akka.Actor;
using Akka.TestKit;
using Microsoft.Extensions.Logging.Abstractions;
using Pmcp.Actors.Messages;
using Pmcp.Actors.Runtime;
using Pmcp.Actors.Tools;

namespace Pmcp.Actors.Tests.Runtime;

/// <summary>A ToolRouter and one ConnectionActor on a <see cref="ProbeOutlet"/>, wired as the hosted server wires them.</summary>
internal static class SpecConnection
{
    /// <param name="runToolsLocally">True (the standalone server): the connection runs the router's tools itself; false (a gateway): every call goes through the router.</param>
    public static (IActorRef Connection, IActorRef Router) Start(ActorSystem system, McpServerDefinition definition, McpServerOptions options, TestProbe socket,
        bool runToolsLocally = true, long connectionId = 1)
    {
        var tools = Pmcp.Actors.Messages.ToolCatalog.Create(definition.Tools, NullLoggerFactory.Instance);
        var router = system.ActorOf(ToolRouterActor.Props(definition, options, NullLoggerFactory.Instance, catalog: tools));
        var connection = system.ActorOf(ConnectionActor.Props(connectionId, definition, options, router, new ProbeOutlet(socket), inProcessTools: runToolsLocally ? tools : null));
        return (connection, router);
    }
}
