using Newtonsoft.Json.Linq;
using Pmcp.Client.Tests.Support;
using Pmcp.Protocol;

namespace Pmcp.Client.Tests;

/// <summary>
/// The 2026-07-28 era on the wire, against a scripted server over WebSocket (a channel like stdio, where requests
/// and notifications share one stream): discovery, the <c>_meta</c> of every request, MRTR retries, and a
/// <c>subscriptions/listen</c> stream that stays open until the client cancels it.
/// </summary>
public sealed class ModernWireTests : IAsyncLifetime
{
    private ScriptedServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await ScriptedServer.StartAsync();
        _server.AnswersDiscoverAsLegacy = false;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<(McpClient Client, ScriptedConnection Connection)> ConnectAsync(Action<McpClient>? handlers = null)
    {
        var client = new McpClient(new WebSocketConfig(_server.Url) { AutoReconnect = false, RequestTimeout = Deadline.Default, PingInterval = null },
            new McpClientOptions { ClientInfo = new Implementation("modern-test", "9.9") });
        handlers?.Invoke(client);
        var initializing = client.InitializeAsync(ClientCapabilities.Minimal());
        var connection = await _server.AcceptAsync();
        var discover = await connection.ExpectAsync(ModernProtocol.ServerDiscover);
        await connection.RespondAsync(discover, new JObject
        {
            ["resultType"] = "complete",
            ["supportedVersions"] = new JArray(ModernProtocol.Version),
            ["capabilities"] = new JObject { ["tools"] = new JObject { ["listChanged"] = true } },
            ["instructions"] = "Be brief.",
            ["_meta"] = new JObject { [ModernProtocol.ServerInfoKey] = new JObject { ["name"] = "modern", ["version"] = "2.0" } },
        });
        await initializing.Within("discovery");
        return (client, connection);
    }

    [Fact]
    public async Task InitializeAsync_AdoptsTheDiscoverResult_AndSendsNoInitialize()
    {
        var (client, connection) = await ConnectAsync();
        await using var _ = client;

        Assert.True(client.IsModernProtocol);
        Assert.Equal(ModernProtocol.Version, client.ProtocolVersion);
        Assert.Equal(("modern", "2.0"), (client.ServerInfo!.Name, client.ServerInfo.Version));
        Assert.Equal("Be brief.", client.InitializeResult!.Instructions);
        Assert.True(client.ServerCapabilities!.Tools!.ListChanged);
        // The next thing on the wire is the caller's own request: no initialize, no notifications/initialized.
        var listing = client.ListToolsAsync();
        var list = await connection.ExpectAsync(McpMethods.ToolsList);
        await connection.RespondAsync(list, new JObject { ["resultType"] = "complete", ["tools"] = new JArray() });
        Assert.Empty(await listing.Within("tools/list"));
    }

    [Fact]
    public async Task EveryRequest_CarriesProtocolVersionClientInfoCapabilitiesAndLogLevel_InMeta()
    {
        var (client, connection) = await ConnectAsync(c => c.SetRootsHandler(_ => Task.FromResult<IReadOnlyList<Root>>([])));
        await using var _ = client;

        await client.SetLoggingLevelAsync("warning").Within("set the log level");
        var calling = client.CallToolAsync("echo", new JObject { ["text"] = "x" });
        var call = await connection.ExpectAsync(McpMethods.ToolsCall);
        await connection.RespondAsync(call, new JObject { ["resultType"] = "complete", ["content"] = new JArray() });
        await calling.Within("tools/call");

        var meta = (JObject)call["params"]!["_meta"]!;
        Assert.Equal(ModernProtocol.Version, (string?)meta[ModernProtocol.ProtocolVersionKey]);
        Assert.Equal("modern-test", (string?)meta[ModernProtocol.ClientInfoKey]!["name"]);
        Assert.Equal(new JObject { ["roots"] = new JObject() }, meta[ModernProtocol.ClientCapabilitiesKey]);
        // 2026-07-28 has no logging/setLevel: the level rides on each request instead.
        Assert.Equal("warning", (string?)meta[ModernProtocol.LogLevelKey]);
    }

    [Fact]
    public async Task InputRequired_IsAnsweredByTheHandlers_AndRetriedAsANewRequestWithTheStateEchoed()
    {
        var (client, connection) = await ConnectAsync(c =>
        {
            c.SetElicitationHandler((request, _) => Task.FromResult(new ElicitResult("accept") { Content = new JObject { ["name"] = "Ada" } }));
            c.SetRootsHandler(_ => Task.FromResult<IReadOnlyList<Root>>([new Root("file:///work") { Name = "work" }]));
        });
        await using var _ = client;

        var calling = client.CallToolAsync("greet");
        var first = await connection.ExpectAsync(McpMethods.ToolsCall);
        await connection.RespondAsync(first, new JObject
        {
            ["resultType"] = "input_required",
            ["inputRequests"] = new JObject
            {
                ["who"] = new JObject { ["method"] = McpMethods.ElicitationCreate, ["params"] = new JObject { ["message"] = "Name?", ["requestedSchema"] = new JObject { ["type"] = "object" } } },
                ["where"] = new JObject { ["method"] = McpMethods.RootsList },
            },
            ["requestState"] = "opaque-1",
        });
        var retry = await connection.ExpectAsync(McpMethods.ToolsCall);
        await connection.RespondAsync(retry, new JObject { ["resultType"] = "complete", ["content"] = new JArray(new JObject { ["type"] = "text", ["text"] = "Hello Ada" }) });
        var result = await calling.Within("the call, after its retry");

        Assert.NotEqual((long)first["id"]!, (long)retry["id"]!);
        Assert.Equal("greet", (string?)retry["params"]!["name"]);
        Assert.Equal("opaque-1", (string?)retry["params"]!["requestState"]);
        Assert.Equal("Ada", (string?)retry["params"]!["inputResponses"]!["who"]!["content"]!["name"]);
        Assert.Equal("work", (string?)retry["params"]!["inputResponses"]!["where"]!["roots"]![0]!["name"]);
        Assert.Null(first["params"]!["requestState"]);
        Assert.Equal("Hello Ada", ((TextContent)result.Content[0]).Text);
    }

    [Fact]
    public async Task InputRequired_FailsTheCall_WhenTheServerAsksForInputTheClientHasNoHandlerFor()
    {
        var (client, connection) = await ConnectAsync();
        await using var _ = client;

        var calling = client.CallToolAsync("greet");
        var first = await connection.ExpectAsync(McpMethods.ToolsCall);
        await connection.RespondAsync(first, new JObject
        {
            ["resultType"] = "input_required",
            ["inputRequests"] = new JObject { ["q"] = new JObject { ["method"] = McpMethods.SamplingCreateMessage, ["params"] = new JObject() } },
        });

        var ex = await Assert.ThrowsAsync<McpException>(() => calling.Within("the call"));
        Assert.Contains("asks for 'sampling/createMessage' input, which this client has no handler for", ex.Message);
    }

    [Fact]
    public async Task Listen_DeliversNotificationsAfterTheAcknowledgement_UntilDisposedWithACancel()
    {
        var (client, connection) = await ConnectAsync();
        await using var _ = client;
        var updated = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var __ = client.OnResourceUpdated(uri => updated.TrySetResult(uri));

        var subscribing = client.SubscribeAsync(new McpSubscriptionFilter { ToolsListChanged = true, ResourceUris = ["file:///a"] });
        var listen = await connection.ExpectAsync(ModernProtocol.SubscriptionsListen);
        var subscriptionId = new JObject { [ModernProtocol.SubscriptionIdKey] = listen["id"] };
        await connection.NotifyAsync(ModernProtocol.SubscriptionsAcknowledged,
            new JObject { ["_meta"] = subscriptionId, ["notifications"] = new JObject { ["resourceSubscriptions"] = new JArray("file:///a") } });
        var subscription = await subscribing.Within("the acknowledgement");
        await connection.NotifyAsync(McpMethods.ResourcesUpdated, new JObject { ["uri"] = "file:///a", ["_meta"] = subscriptionId.DeepClone() });

        Assert.Equal("file:///a", await updated.Task.Within("notifications/resources/updated on the stream"));
        Assert.Equal(new JObject { ["toolsListChanged"] = true, ["resourceSubscriptions"] = new JArray("file:///a") }, listen["params"]!["notifications"]);
        Assert.False(subscription.Acknowledged.ToolsListChanged); // the server did not agree to it
        Assert.Equal(["file:///a"], subscription.Acknowledged.ResourceUris);
        Assert.False(subscription.Ended.IsCompleted);

        await subscription.DisposeAsync();
        var cancelled = await connection.ExpectAsync(McpMethods.Cancelled);
        Assert.Equal((long)listen["id"]!, (long)cancelled["params"]!["requestId"]!);
        await subscription.Ended.Within("the subscription to end");
    }

    [Fact]
    public async Task ListChangedHandler_OpensTheClientsOwnListen_WhichCarriesTheChanges_UntilTheHandlerGoes()
    {
        var (client, connection) = await ConnectAsync();
        await using var _ = client;
        var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var handler = client.OnToolListChanged(() => changed.TrySetResult());
        var listen = await connection.ExpectAsync(ModernProtocol.SubscriptionsListen);
        var subscriptionId = new JObject { [ModernProtocol.SubscriptionIdKey] = listen["id"] };
        await connection.NotifyAsync(ModernProtocol.SubscriptionsAcknowledged,
            new JObject { ["_meta"] = subscriptionId, ["notifications"] = new JObject { ["toolsListChanged"] = true } });
        await connection.NotifyAsync(McpMethods.ToolsListChanged, new JObject { ["_meta"] = subscriptionId.DeepClone() });
        await changed.Task.Within("notifications/tools/list_changed on the client's own listen");
        handler.Dispose();
        var cancelled = await connection.ExpectAsync(McpMethods.Cancelled);

        // Only what the server announces listChanged on (tools) and a handler wants is asked for.
        Assert.Equal(new JObject { ["toolsListChanged"] = true }, listen["params"]!["notifications"]);
        Assert.Equal(ModernProtocol.Version, (string?)listen["params"]!["_meta"]![ModernProtocol.ProtocolVersionKey]);
        Assert.Equal((long)listen["id"]!, (long)cancelled["params"]!["requestId"]!);
    }
}
