using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Messages;
using Pmcp.Actors.Runtime;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Runtime;

/// <summary>
/// A spec of one session as its ConnectionActor sees the wire: JSON-RPC text in (<see cref="Connection"/>), and the
/// answers out of a <see cref="ProbeOutlet"/>'s probe (<see cref="Socket"/>).
/// </summary>
public abstract class SessionSpecs : TestKit
{
    protected static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    protected SessionSpecs(ITestOutputHelper output, Config? config = null) : base(config, output: output)
    {
        Socket = CreateTestProbe();
    }

    /// <summary>Where the connection's outlet reports what it sends and does.</summary>
    protected TestProbe Socket { get; }

    /// <summary>The session under test, set by the spec once it is started.</summary>
    protected IActorRef Connection { get; set; } = ActorRefs.Nobody;

    /// <summary>A session opened through <paramref name="server"/> (the server actor), as the transports open one.</summary>
    protected async Task<IActorRef> OpenThroughAsync(IActorRef server)
    {
        server.Tell(new McpServerProtocol.OpenConnection(new ProbeOutlet(Socket), "test"));
        Connection = (await ExpectMsgAsync<McpServerProtocol.ConnectionOpened>(Wait)).Connection;
        return Connection;
    }

    /// <summary>The handshake: initialize (its result returned), then, unless told not to, notifications/initialized.</summary>
    protected async Task<JObject> InitializeAsync(object? capabilities = null, string version = "2025-11-25", bool sendInitialized = true)
    {
        Request(0, "initialize", new { protocolVersion = version, capabilities = capabilities ?? new { }, clientInfo = new { name = "spec", version = "1" } });
        var result = await ResultAsync(0);
        if (sendInitialized) Notify("notifications/initialized");
        return result;
    }

    protected void Send(string json) => Connection.Tell(new ConnectionProtocol.Inbound(json));

    protected void Send(JObject message) => Send(message.ToString(Formatting.None));

    protected void Request(object id, string method, object? @params = null) =>
        Send(new JObject { ["jsonrpc"] = "2.0", ["id"] = JToken.FromObject(id), ["method"] = method, ["params"] = Params(@params) });

    protected void Notify(string method, object? @params = null) =>
        Send(new JObject { ["jsonrpc"] = "2.0", ["method"] = method, ["params"] = Params(@params) });

    /// <summary>The next message the session sent.</summary>
    protected async Task<JObject> NextAsync() => JObject.Parse((await Socket.ExpectMsgAsync<ProbeOutlet.Sent>(Wait)).Json);

    /// <summary>The next message, which must be the result of request <paramref name="id"/>.</summary>
    protected async Task<JObject> ResultAsync(object id)
    {
        var msg = await NextAsync();
        Assert.Equal(JToken.FromObject(id), msg["id"]);
        Assert.True(msg["result"] is JObject, $"expected a result, got {msg}");
        return (JObject)msg["result"]!;
    }

    /// <summary>The next message, which must be an error with <paramref name="code"/> for <paramref name="id"/> (null: an id the server could not read).</summary>
    protected async Task<JObject> ErrorAsync(object? id, int code)
    {
        var msg = await NextAsync();
        Assert.Equal(id is null ? JValue.CreateNull() : JToken.FromObject(id), msg["id"]);
        Assert.True(msg["error"] is JObject, $"expected an error, got {msg}");
        Assert.Equal(code, (int)msg["error"]!["code"]!);
        return (JObject)msg["error"]!;
    }

    private static JToken? Params(object? @params) => @params is null ? null : JToken.FromObject(@params);
}
