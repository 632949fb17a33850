using Pmcp.Actors.Server;
using Pmcp.Client.Tests.Support;
using Pmcp.Protocol;

namespace Pmcp.Client.Tests;

/// <summary>Our server with the standalone server's demo resources, template and prompt beside the demo tools.</summary>
public sealed class DemoFeaturesServerFixture : IAsyncLifetime
{
    private RealServer? _server;

    internal RealServer Server => _server ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync() => _server = await RealServer.StartAsync(tools: mcp => mcp.AddDemoFeatures());

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}

/// <summary>The typed API beyond tools (resources, templates, prompts, completion, subscriptions) against our server, over both transports.</summary>
public sealed class SurfaceTests(DemoFeaturesServerFixture fixture) : IClassFixture<DemoFeaturesServerFixture>
{
    /// <summary>A ready client; <paramref name="protocolVersion"/> pins a revision (null: the server's newest, 2026-07-28 with our server's defaults).</summary>
    private Task<McpClient> ConnectAsync(string transport, string? protocolVersion = null) =>
        McpClient.ConnectAsync(McpTransportConfig.ForUrl(fixture.Server.UrlFor(transport)) with { RequestTimeout = Deadline.Default },
            ClientCapabilities.Minimal(), new McpClientOptions { ProtocolVersion = protocolVersion }).Within("connect and initialize");

    [Theory]
    [InlineData("ws")]
    [InlineData("http")]
    public async Task Resources_AreListedAndRead(string transport)
    {
        await using var client = await ConnectAsync(transport);

        var resources = await client.ListResourcesAsync().Within("resources/list");
        var readme = await client.ReadResourceAsync("demo://readme").Within("resources/read");

        var listed = Assert.Single(resources);
        Assert.Equal(("demo://readme", "readme", "text/plain"), (listed.Uri, listed.Name, listed.MimeType));
        var contents = Assert.Single(readme.Contents);
        Assert.StartsWith("Pmcp.Actors demo server.", contents.Text);
    }

    [Theory]
    [InlineData("ws")]
    [InlineData("http")]
    public async Task ResourceTemplates_AreListed_AndAResourceTheyNameIsRead(string transport)
    {
        await using var client = await ConnectAsync(transport);

        var templates = await client.ListResourceTemplatesAsync().Within("resources/templates/list");
        var square = await client.ReadResourceAsync("demo://squares/12").Within("resources/read demo://squares/12");

        Assert.Equal("demo://squares/{n}", Assert.Single(templates).UriTemplate);
        Assert.Equal("12 squared is 144", Assert.Single(square.Contents).Text);
    }

    [Theory]
    [InlineData("ws")]
    [InlineData("http")]
    public async Task ReadResource_ThrowsResourceNotFound_ForAUriNothingNames_In2025(string transport)
    {
        await using var client = await ConnectAsync(transport, McpProtocolVersions.Latest);

        var ex = await Assert.ThrowsAsync<McpProtocolException>(() => client.ReadResourceAsync("demo://nothing").Within("resources/read"));

        Assert.Equal(JsonRpcErrorCodes.ResourceNotFound, ex.Code);
    }

    [Theory]
    [InlineData("ws")]
    [InlineData("http")]
    public async Task ReadResource_ThrowsInvalidParamsNamingTheUri_ForAUriNothingNames_In2026(string transport)
    {
        await using var client = await ConnectAsync(transport);

        var ex = await Assert.ThrowsAsync<McpProtocolException>(() => client.ReadResourceAsync("demo://nothing").Within("resources/read"));

        Assert.True(client.IsModernProtocol);
        Assert.Equal(JsonRpcErrorCodes.InvalidParams, ex.Code); // 2026-07-28 (SEP-2164): -32602 with data.uri
        Assert.Equal("demo://nothing", (string?)ex.ErrorData?["uri"]);
    }

    [Theory]
    [InlineData("ws")]
    [InlineData("http")]
    public async Task Prompts_AreListedAndGot_WithTheirArguments(string transport)
    {
        await using var client = await ConnectAsync(transport);

        var prompts = await client.ListPromptsAsync().Within("prompts/list");
        var prompt = await client.GetPromptAsync("summarize", new Dictionary<string, string> { ["topic"] = "actors", ["style"] = "detailed" })
            .Within("prompts/get");

        var summarize = Assert.Single(prompts);
        Assert.Equal(["topic", "style"], summarize.Arguments!.Select(a => a.Name));
        Assert.Equal("Summary of actors", prompt.Description);
        Assert.Equal("Summarize what you know about actors in a detailed style.", ((TextContent)Assert.Single(prompt.Messages).Content).Text);
    }

    [Theory]
    [InlineData("ws")]
    [InlineData("http")]
    public async Task GetPrompt_ThrowsInvalidParams_WhenARequiredArgumentIsMissing(string transport)
    {
        await using var client = await ConnectAsync(transport);

        var ex = await Assert.ThrowsAsync<McpProtocolException>(() => client.GetPromptAsync("summarize").Within("prompts/get"));

        Assert.Equal(JsonRpcErrorCodes.InvalidParams, ex.Code);
    }

    [Theory]
    [InlineData("ws")]
    [InlineData("http")]
    public async Task Complete_SuggestsValues_ForAPromptArgumentAndATemplateVariable(string transport)
    {
        await using var client = await ConnectAsync(transport);

        var styles = await client.CompleteAsync(CompletionReference.ForPrompt("summarize"), "style", "b").Within("complete style");
        var numbers = await client.CompleteAsync(CompletionReference.ForResource("demo://squares/{n}"), "n", "1").Within("complete n");

        Assert.Equal(["brief", "bullet-points"], styles.Values);
        Assert.Equal(["1", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19"], numbers.Values);
    }

    [Theory]
    [InlineData("ws")]
    [InlineData("http")]
    public async Task Subscribe_DeliversResourceUpdates_UntilDisposed_In2025(string transport)
    {
        // 2025: resources/unsubscribe is answered, so nothing comes after it. (2026: ending a listen is a notification
        // with no answer, so an update already on its way may still arrive: ModernWireTests.)
        await using var client = await ConnectAsync(transport, McpProtocolVersions.Latest);
        var updates = System.Threading.Channels.Channel.CreateUnbounded<string>();
        using var _ = client.OnResourceUpdated(uri => updates.Writer.TryWrite(uri));

        var subscription = await client.SubscribeAsync(new McpSubscriptionFilter { ResourceUris = ["demo://readme"], ToolsListChanged = true })
            .Within("resources/subscribe");
        await fixture.Server.Runtime.NotifyResourceUpdatedAsync("demo://readme");
        var updated = await updates.Reader.ReadAsync().AsTask().Within("notifications/resources/updated");

        Assert.Equal("demo://readme", updated);
        Assert.Equal(["demo://readme"], subscription.Acknowledged.ResourceUris);
        Assert.True(subscription.Acknowledged.ToolsListChanged);
        await subscription.DisposeAsync();
        await subscription.Ended.Within("the subscription to end");
        // Unsubscribed: a second update is not sent; a ping after it proves the server had its chance to send one.
        await fixture.Server.Runtime.NotifyResourceUpdatedAsync("demo://readme");
        await client.PingAsync().Within("ping");
        Assert.False(updates.Reader.TryRead(out var late), $"an update came after unsubscribing: {late}");
    }
}
