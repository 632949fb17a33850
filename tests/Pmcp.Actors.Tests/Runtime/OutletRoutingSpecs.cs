using System.Net.WebSockets;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Microsoft.Extensions.Logging.Abstractions;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Messages;
using Pmcp.Actors.Runtime;
using Pmcp.Actors.Session;
using Pmcp.Actors.Tools;
using Pmcp.Actors.Transport;
using Pmcp.Protocol;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Runtime;

/// <summary>
/// What the ConnectionActor tells its outlet about each message (<see cref="IConnectionOutlet.Send"/>):
/// a response is final for its request; progress, the tool's log messages and its requests to the client belong to the
/// request that runs the tool; list changes belong to none. Streamable HTTP routes on exactly this.
/// </summary>
public sealed class OutletRoutingSpecs : TestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private readonly TestProbe _socket;
    private readonly IActorRef _server;

    public OutletRoutingSpecs(ITestOutputHelper output) : base(output: output)
    {
        _socket = CreateTestProbe();
        var options = new McpServerOptions { ProgressInterval = TimeSpan.Zero };
        var definition = new McpServerBuilder()
            .Tool("busy", async (args, ctx) =>
            {
                ctx.Progress.Report(1, 2);
                ctx.Client.Log("info", "working");
                var answer = await ctx.Client.SampleAsync(new CreateMessageParams([new SamplingMessage("user", new TextContent("?"))], 10), ctx.CancellationToken);
                return CallToolResult.Text(((TextContent)answer.Content).Text);
            })
            .Build();
        var router = Sys.ActorOf(ToolRouterActor.Props(definition, options, NullLoggerFactory.Instance), "pmcp-tools");
        _server = Sys.ActorOf(McpServerActor.Props(definition, options, router), "pmcp");
    }

    [Fact]
    public async Task Messages_NameTheRequestTheyBelongTo_AndResponsesAreFinal()
    {
        _server.Tell(new McpServerProtocol.OpenConnection(new RoutingOutlet(_socket), "test"));
        var connection = (await ExpectMsgAsync<McpServerProtocol.ConnectionOpened>(Wait)).Connection;
        void Send(string json) => connection.Tell(new ConnectionProtocol.Inbound(json));

        Send("""{"jsonrpc":"2.0","id":"init","method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{"sampling":{}},"clientInfo":{"name":"s","version":"1"}}}""");
        var initialized = await _socket.ExpectMsgAsync<RoutingOutlet.Routed>(Wait);
        Assert.Equal((new RequestId("init"), true), (initialized.Related, initialized.Final));
        Send("""{"jsonrpc":"2.0","method":"notifications/initialized"}""");

        Send("""{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"busy","arguments":{},"_meta":{"progressToken":"t"}}}""");
        var progress = await _socket.ExpectMsgAsync<RoutingOutlet.Routed>(Wait);
        var log = await _socket.ExpectMsgAsync<RoutingOutlet.Routed>(Wait);
        var sampling = await _socket.ExpectMsgAsync<RoutingOutlet.Routed>(Wait);
        Assert.Equal("notifications/progress", progress.Method);
        Assert.Equal("notifications/message", log.Method);
        Assert.Equal("sampling/createMessage", sampling.Method);
        Assert.All([progress, log, sampling], m => Assert.Equal((new RequestId(7), false), (m.Related, m.Final)));

        Send(new JObject { ["jsonrpc"] = "2.0", ["id"] = sampling.Json["id"], ["result"] = JObject.Parse("""{"role":"assistant","content":{"type":"text","text":"done"},"model":"m"}""") }
            .ToString(Formatting.None));
        var result = await _socket.ExpectMsgAsync<RoutingOutlet.Routed>(Wait);
        Assert.Equal((new RequestId(7), true), (result.Related, result.Final));
        Assert.Equal("done", (string?)result.Json["result"]!["content"]![0]!["text"]);

        connection.Tell(new ConnectionProtocol.ListChanged("tools"));
        var changed = await _socket.ExpectMsgAsync<RoutingOutlet.Unrelated>(Wait);
        Assert.Contains("notifications/tools/list_changed", changed.Json, StringComparison.Ordinal);
    }

    private sealed class RoutingOutlet(IActorRef probe) : IConnectionOutlet
    {
        public sealed record Routed(JObject Json, RequestId Related, bool Final)
        {
            public string? Method => (string?)Json["method"];
        }

        public sealed record Unrelated(string Json);

        public bool Send(string json, RequestId? related = null, bool final = false)
        {
            probe.Tell(related is { } relatedRequest ? new Routed(JObject.Parse(json), relatedRequest, final) : new Unrelated(json));
            return true;
        }

        public void Close(CloseReason reason)
        {
        }

        public void PauseReading()
        {
        }

        public void ResumeReading()
        {
        }
    }
}
