using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Microsoft.Extensions.Logging.Abstractions;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Messages;
using Pmcp.Actors.Runtime;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Runtime;

/// <summary>Resources, resource templates, subscriptions, prompts and completion, through the ConnectionActor and the router.</summary>
public sealed class ResourcePromptSpecs : SessionSpecs
{
    private static readonly string[] Colors = ["red", "green", "blue", "grey"];
    private readonly IActorRef _server;
    private readonly IActorRef _router;

    public ResourcePromptSpecs(ITestOutputHelper output) : base(output)
    {
        var options = new McpServerOptions { ToolsPageSize = 2 };
        var definition = new McpServerBuilder()
            .Resource("test://static/text", "static text", (uri, _, _) => Task.FromResult(new ReadResourceResult([ResourceContents.FromText(uri, "hello")])),
                "A fixed text.", "text/plain")
            .Resource("test://static/binary", "static binary", (uri, _, _) => Task.FromResult(new ReadResourceResult([ResourceContents.FromBytes(uri, [1, 2, 3], "application/octet-stream")])))
            .Resource("test://static/broken", "broken", (_, _, _) => throw new InvalidOperationException("disk on fire"))
            .ResourceTemplate(new McpResourceTemplateDefinition("test://items/{id}/data", "items",
                (uri, vars, _) => Task.FromResult(new ReadResourceResult([ResourceContents.FromText(uri, $"item {vars["id"]}")])))
            {
                Completers = new Dictionary<string, McpCompleter> { ["id"] = (value, _, _) => Task.FromResult<IReadOnlyList<string>>(["1", "12", "123"]) },
            })
            .ResourceTemplate(new McpResourceTemplateDefinition("test://missing/{name}", "sometimes missing",
                (uri, _, _) => throw new McpException(JsonRpcErrorCodes.ResourceNotFound, $"Resource not found: {uri}")))
            .Prompt(new McpPromptDefinition("greeting", (args, _) => Task.FromResult(new GetPromptResult(
                [new PromptMessage("user", new TextContent($"Say hello to {args["name"]} in {args.GetValueOrDefault("language", "English")}."))])
            {
                Description = "A greeting",
            }))
            {
                Description = "Greets someone",
                Arguments = [new PromptArgument("name") { Required = true }, new PromptArgument("language")],
                Completers = new Dictionary<string, McpCompleter>
                {
                    ["language"] = (value, _, _) => Task.FromResult<IReadOnlyList<string>>(
                        new[] { "English", "Esperanto", "Estonian", "French" }.Where(l => l.StartsWith(value, StringComparison.OrdinalIgnoreCase)).ToArray()),
                },
            })
            .Prompt(new McpPromptDefinition("many-colors", (_, _) => Task.FromResult(new GetPromptResult([])))
            {
                Arguments = [new PromptArgument("color")],
                Completers = new Dictionary<string, McpCompleter>
                {
                    ["color"] = (_, _, _) => Task.FromResult<IReadOnlyList<string>>(Enumerable.Range(0, 150).Select(i => Colors[i % 4] + i).ToArray()),
                },
            })
            .Build();
        _router = Sys.ActorOf(ToolRouterActor.Props(definition, options, NullLoggerFactory.Instance), "pmcp-tools");
        _server = Sys.ActorOf(McpServerActor.Props(definition, options, _router), "pmcp");
    }

    private async Task<JObject> OpenAsync()
    {
        await OpenThroughAsync(_server);
        return await InitializeAsync();
    }

    [Fact]
    public async Task Capabilities_ReflectWhatIsRegistered()
    {
        var caps = (JObject)(await OpenAsync())["capabilities"]!;
        Assert.True((bool)caps["resources"]!["subscribe"]!);
        Assert.True((bool)caps["resources"]!["listChanged"]!);
        Assert.True((bool)caps["prompts"]!["listChanged"]!);
        Assert.NotNull(caps["completions"]);
        Assert.NotNull(caps["logging"]);
        Assert.Null(caps["tools"]); // no tools were registered
    }

    [Fact]
    public async Task ResourcesList_IsPaginated()
    {
        await OpenAsync();
        Request(1, "resources/list");
        var first = await ResultAsync(1);
        Assert.Equal(["test://static/text", "test://static/binary"], first["resources"]!.Select(r => (string)r["uri"]!));
        Assert.Equal("text/plain", (string)first["resources"]![0]!["mimeType"]!);
        Request(2, "resources/list", new { cursor = (string)first["nextCursor"]! });
        var second = await ResultAsync(2);
        Assert.Equal(["test://static/broken"], second["resources"]!.Select(r => (string)r["uri"]!));
        Assert.Null(second["nextCursor"]);
    }

    [Fact]
    public async Task ResourcesRead_ReturnsTextAndBlob()
    {
        await OpenAsync();
        Request(1, "resources/read", new { uri = "test://static/text" });
        var text = (await ResultAsync(1))["contents"]![0]!;
        Assert.Equal("hello", (string)text["text"]!);
        Assert.Equal("test://static/text", (string)text["uri"]!);

        Request(2, "resources/read", new { uri = "test://static/binary" });
        var blob = (await ResultAsync(2))["contents"]![0]!;
        Assert.Equal(Convert.ToBase64String(new byte[] { 1, 2, 3 }), (string)blob["blob"]!);
        Assert.Null(blob["text"]);
    }

    [Fact]
    public async Task ResourcesRead_MatchesTemplates_WithDecodedVariables()
    {
        await OpenAsync();
        Request(1, "resources/templates/list");
        Assert.Equal("test://items/{id}/data", (string)(await ResultAsync(1))["resourceTemplates"]![0]!["uriTemplate"]!);
        Request(2, "resources/read", new { uri = "test://items/a%20b/data" });
        Assert.Equal("item a b", (string)(await ResultAsync(2))["contents"]![0]!["text"]!);
    }

    [Theory]
    [InlineData("test://nowhere")]
    [InlineData("test://items/1/other")]
    [InlineData("test://missing/x")]
    public async Task ResourcesRead_Unknown_IsResourceNotFound(string uri)
    {
        await OpenAsync();
        Request(1, "resources/read", new { uri });
        var error = await ErrorAsync(1, JsonRpcErrorCodes.ResourceNotFound);
        Assert.Contains(uri, (string)error["message"]!);
    }

    [Fact]
    public async Task ResourcesRead_ReaderThatThrows_IsInternalError_AndSessionContinues()
    {
        await OpenAsync();
        Request(1, "resources/read", new { uri = "test://static/broken" });
        Assert.Contains("disk on fire", (string)(await ErrorAsync(1, JsonRpcErrorCodes.InternalError))["message"]!);
        Request(2, "ping");
        await ResultAsync(2);
    }

    [Fact]
    public async Task Subscribe_DeliversUpdates_UntilUnsubscribed()
    {
        await OpenAsync();
        Request(1, "resources/subscribe", new { uri = "test://static/text" });
        await ResultAsync(1);
        _server.Tell(new McpServerProtocol.BroadcastResourceUpdated("test://static/binary"));
        _server.Tell(new McpServerProtocol.BroadcastResourceUpdated("test://static/text"));
        var note = await NextAsync();
        Assert.Equal("notifications/resources/updated", (string)note["method"]!);
        Assert.Equal("test://static/text", (string)note["params"]!["uri"]!);

        Request(2, "resources/unsubscribe", new { uri = "test://static/text" });
        await ResultAsync(2);
        _server.Tell(new McpServerProtocol.BroadcastResourceUpdated("test://static/text"));
        Request(3, "ping");
        await ResultAsync(3); // nothing came before the ping's answer
    }

    [Fact]
    public async Task PromptsGet_RendersWithArguments()
    {
        await OpenAsync();
        Request(1, "prompts/list");
        var prompts = await ResultAsync(1);
        Assert.Equal("greeting", (string)prompts["prompts"]![0]!["name"]!);
        Assert.True((bool)prompts["prompts"]![0]!["arguments"]![0]!["required"]!);

        Request(2, "prompts/get", new { name = "greeting", arguments = new { name = "Ada", language = "French" } });
        var result = await ResultAsync(2);
        Assert.Equal("A greeting", (string)result["description"]!);
        Assert.Equal("user", (string)result["messages"]![0]!["role"]!);
        Assert.Equal("Say hello to Ada in French.", (string)result["messages"]![0]!["content"]!["text"]!);
    }

    [Theory]
    [InlineData("{\"name\":\"greeting\"}")]
    [InlineData("{\"name\":\"greeting\",\"arguments\":{\"language\":\"French\"}}")]
    [InlineData("{\"name\":\"greeting\",\"arguments\":{\"name\":5}}")]
    [InlineData("{\"name\":\"nope\"}")]
    [InlineData("{}")]
    public async Task PromptsGet_BadArguments_AreInvalidParams(string paramsJson)
    {
        await OpenAsync();
        Connection.Tell(new ConnectionProtocol.Inbound($"{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"prompts/get\",\"params\":{paramsJson}}}"));
        await ErrorAsync(1, JsonRpcErrorCodes.InvalidParams);
    }

    [Fact]
    public async Task Complete_PromptArgument_FiltersByValue()
    {
        await OpenAsync();
        Request(1, "completion/complete", new { @ref = new { type = "ref/prompt", name = "greeting" }, argument = new { name = "language", value = "es" } });
        var completion = (await ResultAsync(1))["completion"]!;
        Assert.Equal(["Esperanto", "Estonian"], completion["values"]!.Select(v => (string)v!));
        Assert.False((bool)completion["hasMore"]!);
    }

    [Fact]
    public async Task Complete_TemplateVariable_AndCapsAt100()
    {
        await OpenAsync();
        Request(1, "completion/complete", new { @ref = new { type = "ref/resource", uri = "test://items/{id}/data" }, argument = new { name = "id", value = "1" } });
        Assert.Equal(3, ((JArray)(await ResultAsync(1))["completion"]!["values"]!).Count);

        Request(2, "completion/complete", new { @ref = new { type = "ref/prompt", name = "many-colors" }, argument = new { name = "color", value = "" } });
        var completion = (await ResultAsync(2))["completion"]!;
        Assert.Equal(100, ((JArray)completion["values"]!).Count);
        Assert.Equal(150, (int)completion["total"]!);
        Assert.True((bool)completion["hasMore"]!);
    }

    [Fact]
    public async Task Complete_ArgumentWithoutCompleter_IsEmpty_UnknownRefIsInvalidParams()
    {
        await OpenAsync();
        Request(1, "completion/complete", new { @ref = new { type = "ref/prompt", name = "greeting" }, argument = new { name = "name", value = "A" } });
        Assert.Empty((JArray)(await ResultAsync(1))["completion"]!["values"]!);
        Request(2, "completion/complete", new { @ref = new { type = "ref/prompt", name = "nope" }, argument = new { name = "x", value = "" } });
        await ErrorAsync(2, JsonRpcErrorCodes.InvalidParams);
    }

    [Fact]
    public async Task AddingAndRemovingResourcesAndPrompts_TellsSessions()
    {
        await OpenAsync();
        var added = new McpResourceDefinition("test://late", "late", (uri, _, _) => Task.FromResult(new ReadResourceResult([ResourceContents.FromText(uri, "late")])));
        Assert.True((await _router.Ask<ToolRouterProtocol.ToolsUpdated>(new ToolRouterProtocol.AddFeature(added), Wait)).Changed);
        Assert.Equal("notifications/resources/list_changed", (string)(await NextAsync())["method"]!);
        Request(1, "resources/read", new { uri = "test://late" });
        Assert.Equal("late", (string)(await ResultAsync(1))["contents"]![0]!["text"]!);

        Assert.True((await _router.Ask<ToolRouterProtocol.ToolsUpdated>(new ToolRouterProtocol.RemoveFeature("prompts", "greeting"), Wait)).Changed);
        Assert.Equal("notifications/prompts/list_changed", (string)(await NextAsync())["method"]!);
        Request(2, "prompts/get", new { name = "greeting", arguments = new { name = "x" } });
        await ErrorAsync(2, JsonRpcErrorCodes.InvalidParams);
        Assert.False((await _router.Ask<ToolRouterProtocol.ToolsUpdated>(new ToolRouterProtocol.RemoveFeature("prompts", "greeting"), Wait)).Changed);
    }

    [Fact]
    public async Task ToolsList_WithNoToolsRegistered_IsAnEmptyPage()
    {
        await OpenAsync();
        Request(1, "tools/list");
        Assert.Empty((JArray)(await ResultAsync(1))["tools"]!);
    }
}
