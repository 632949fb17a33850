using Akka.Actor;
using Akka.TestKit;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Messages;
using Pmcp.Actors.Runtime;

namespace Pmcp.Actors.Tests.Runtime;

/// <summary>The wire as a spec sees it: JSON-RPC text into a ConnectionActor, and its answers out of a <see cref="ProbeOutlet"/>'s probe.</summary>
internal sealed class SpecWire(TestProbe socket, Func<IActorRef> connection)
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    public void Send(string json) => connection().Tell(new ConnectionProtocol.Inbound(json));

    public void Send(JObject message) => Send(message.ToString(Formatting.None));

    public void Request(object id, string method, object? @params = null) =>
        Send(new JObject { ["jsonrpc"] = "2.0", ["id"] = JToken.FromObject(id), ["method"] = method, ["params"] = Params(@params) });

    public void Notify(string method, object? @params = null) =>
        Send(new JObject { ["jsonrpc"] = "2.0", ["method"] = method, ["params"] = Params(@params) });

    public async Task<JObject> NextAsync() => JObject.Parse((await socket.ExpectMsgAsync<ProbeOutlet.Sent>(Wait)).Json);

    /// <summary>The next message, which must be the result of request <paramref name="id"/>.</summary>
    public async Task<JObject> ResultAsync(object id)
    {
        var msg = await NextAsync();
        Assert.Equal(JToken.FromObject(id), msg["id"]);
        Assert.True(msg["result"] is JObject, $"expected a result, got {msg}");
        return (JObject)msg["result"]!;
    }

    /// <summary>The next message, which must be an error with <paramref name="code"/> for <paramref name="id"/> (null: an id the server could not read).</summary>
    public async Task<JObject> ErrorAsync(object? id, int code)
    {
        var msg = await NextAsync();
        Assert.Equal(id is null ? JValue.CreateNull() : JToken.FromObject(id), msg["id"]);
        Assert.True(msg["error"] is JObject, $"expected an error, got {msg}");
        Assert.Equal(code, (int)msg["error"]!["code"]!);
        return (JObject)msg["error"]!;
    }

    private static JToken? Params(object? @params) => @params is null ? null : JToken.FromObject(@params);
}
