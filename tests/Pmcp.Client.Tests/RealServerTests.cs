using System.Diagnostics;
using Newtonsoft.Json.Linq;
using Pmcp.Client.Tests.Support;
using Pmcp.Protocol;

namespace Pmcp.Client.Tests;

/// <summary>One real server for the class; each test opens its own client.</summary>
/// <summary>Our server with its defaults: both eras, so our client negotiates 2026-07-28 with it.</summary>
public sealed class RealServerFixture : IAsyncLifetime
{
    private RealServer? _server;

    internal RealServer Server => _server ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync() => _server = await RealServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}

/// <summary>Our server serving the 2025 revisions only (<c>ServeStatelessEra</c> off): sessions, and the client's fallback to initialize.</summary>
public sealed class LegacyServerFixture : IAsyncLifetime
{
    private RealServer? _server;

    internal RealServer Server => _server ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync() => _server = await RealServer.StartAsync(options: o => o.ServeStatelessEra = false);

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}

/// <summary>The client against the real server (Akka actors behind Kestrel) over loopback.</summary>
public sealed class RealServerTests(RealServerFixture fixture) : IClassFixture<RealServerFixture>
{
    /// <summary>A ready client over <paramref name="transport"/>: "ws" (WebSocket) or "http" (Streamable HTTP), the same server behind both.</summary>
    private Task<McpClient> ConnectAsync(string transport, TimeSpan? requestTimeout = null) =>
        McpClient.ConnectAsync(McpTransportConfig.ForUrl(fixture.Server.UrlFor(transport)) with { RequestTimeout = requestTimeout ?? Deadline.Default },
            ClientCapabilities.Minimal()).Within("connect and initialize");

    [Fact]
    public async Task InitializeAsync_ReturnsServerInfoAndNegotiatesMcpSubprotocol_WhenServerIsReal()
    {
        await using var client = new McpClient(new WebSocketTransport(new WebSocketConfig(fixture.Server.Url)));

        var result = await client.InitializeAsync(ClientCapabilities.Minimal()).Within("initialize");

        Assert.Equal("test", result.ServerInfo.Name);
        Assert.Equal("1.0.0", result.ServerInfo.Version);
        Assert.Equal(ModernProtocol.Version, result.ProtocolVersion); // our server serves 2026-07-28 by default
        Assert.NotNull(result.Capabilities.Tools);
        Assert.Equal("mcp", ((WebSocketTransport)client.Transport).SubProtocol);
        Assert.Equal(McpClientState.Ready, client.State);
        Assert.Same(result, client.InitializeResult);
    }

    [Fact]
    public async Task InitializeAsync_UsesConnectedTransport_WhenConnectedFirstAsInTheSeed()
    {
        var transport = new WebSocketTransport(new WebSocketConfig(fixture.Server.Url));
        await transport.ConnectAsync().Within("connect");
        await using var client = new McpClient(transport);

        await client.InitializeAsync(ClientCapabilities.Minimal()).Within("initialize");

        Assert.Equal(1, transport.ConnectionCount);
        Assert.True(transport.IsConnected);
    }

    [Theory]
    [InlineData("ws")]
    [InlineData("http")]
    public async Task ListToolsAsync_FollowsNextCursorAcrossPages_WhenPageSizeIsOne(string transport)
    {
        await using var client = await ConnectAsync(transport);

        var firstPage = await client.ListToolsPageAsync().Within("tools/list page 1");
        var all = await client.ListToolsAsync().Within("tools/list, all pages");

        Assert.Single(firstPage.Tools);
        Assert.False(string.IsNullOrEmpty(firstPage.NextCursor));
        Assert.Equal(["echo", "add", "sleep"], all.Select(t => t.Name));
        Assert.All(all, t => Assert.Equal("object", (string?)t.InputSchema["type"]));
    }

    [Theory]
    [InlineData("ws")]
    [InlineData("http")]
    public async Task CallToolAsync_ReturnsTheToolsText_ForEcho(string transport)
    {
        await using var client = await ConnectAsync(transport);

        var result = await client.CallToolAsync("echo", new JObject { ["text"] = "hello" }).Within("echo");

        Assert.NotEqual(true, result.IsError);
        Assert.Equal("hello", Assert.IsType<TextContent>(Assert.Single(result.Content)).Text);
    }

    [Theory]
    [InlineData("ws")]
    [InlineData("http")]
    public async Task CallToolAsync_ReturnsIsErrorResult_WhenToolRejectsItsArguments(string transport)
    {
        await using var client = await ConnectAsync(transport);

        var result = await client.CallToolAsync("add", new JObject { ["a"] = 1 }).Within("add");

        Assert.True(result.IsError);
        Assert.Contains("'a' and 'b'", Assert.IsType<TextContent>(Assert.Single(result.Content)).Text);
    }

    [Theory]
    [InlineData("ws")]
    [InlineData("http")]
    public async Task CallToolAsync_ThrowsProtocolExceptionWithCode_WhenToolIsUnknown(string transport)
    {
        await using var client = await ConnectAsync(transport);

        var ex = await Assert.ThrowsAsync<McpProtocolException>(() => client.CallToolAsync("nope").Within("tools/call nope"));

        Assert.Equal(JsonRpcErrorCodes.InvalidParams, ex.Code);
        Assert.Contains("nope", ex.Message);
        Assert.Equal(McpClientState.Ready, client.State);
    }

    [Theory]
    [InlineData("ws")]
    [InlineData("http")]
    public async Task CallToolAsync_ReportsEveryProgressNotification_WhenProgressIsGiven(string transport)
    {
        await using var client = await ConnectAsync(transport);
        var progress = new ListProgress();

        var result = await client.CallToolAsync("sleep", new JObject { ["ms"] = 100 }, progress).Within("sleep with progress");

        Assert.Equal("slept 100 ms", Assert.IsType<TextContent>(Assert.Single(result.Content)).Text);
        var reports = progress.Reports;
        Assert.Equal(10, reports.Count);
        Assert.Equal(reports.Select(r => r.Progress).Order(), reports.Select(r => r.Progress));
        Assert.Equal(100, reports[^1].Progress);
        Assert.All(reports, r => Assert.Equal(100, r.Total));
        Assert.Equal("slept 100 of 100 ms", reports[^1].Message);
    }

    [Theory]
    [InlineData("ws")]
    [InlineData("http")]
    public async Task CallToolAsync_ThrowsOperationCanceledPromptly_WhenCallerCancelsMidCall(string transport)
    {
        await using var client = await ConnectAsync(transport);
        var firstProgress = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cts = new CancellationTokenSource();
        var progress = new ListProgress(() => firstProgress.TrySetResult());

        var call = client.CallToolAsync("sleep", new JObject { ["ms"] = 5_000 }, progress, cts.Token);
        // The first of ten progress steps comes after 0.5 s: under way, far from done.
        await firstProgress.Task.Within("the first progress notification");
        var stopwatch = Stopwatch.StartNew();
        await cts.CancelAsync();

        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.Within("the cancelled call to end"));
        Assert.Equal(cts.Token, ex.CancellationToken);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"cancelling took {stopwatch.Elapsed}");
        // The session is unharmed and answers the next call.
        var echo = await client.CallToolAsync("echo", new JObject { ["text"] = "after" }).Within("echo after the cancel");
        Assert.Equal("after", Assert.IsType<TextContent>(Assert.Single(echo.Content)).Text);
    }

    [Theory]
    [InlineData("ws")]
    [InlineData("http")]
    public async Task CallToolAsync_ThrowsTimeoutException_WhenServerTakesLongerThanRequestTimeout(string transport)
    {
        // On the real clock; 2 s leaves the handshake (bounded by the same timeout) room on a loaded machine.
        await using var client = await ConnectAsync(transport, TimeSpan.FromSeconds(2));
        var stopwatch = Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<McpTimeoutException>(() => client.CallToolAsync("sleep", new JObject { ["ms"] = 30_000 }).Within("the call to time out"));

        Assert.Equal(McpMethods.ToolsCall, ex.Method);
        Assert.Equal(TimeSpan.FromSeconds(2), ex.Timeout);
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromSeconds(1.9), TimeSpan.FromSeconds(8));
        var echo = await client.CallToolAsync("echo", new JObject { ["text"] = "still here" }).Within("echo after the timeout");
        Assert.Equal("still here", Assert.IsType<TextContent>(Assert.Single(echo.Content)).Text);
    }

    [Theory]
    [InlineData("ws")]
    [InlineData("http")]
    public async Task PingAsync_ReturnsRoundTrip_WhenServerAnswers(string transport)
    {
        await using var client = await ConnectAsync(transport);

        var roundTrip = await client.PingAsync().Within("ping");

        Assert.InRange(roundTrip, TimeSpan.Zero, Deadline.Default);
    }

    [Theory]
    [InlineData("ws")]
    [InlineData("http")]
    public async Task CallToolAsync_MatchesEachAnswerToItsRequest_WhenManyCallsAreInFlight(string transport)
    {
        await using var client = await ConnectAsync(transport);

        var calls = Enumerable.Range(0, 50)
            .Select(i => client.CallToolAsync("add", new JObject { ["a"] = i, ["b"] = 1000 }))
            .ToArray();
        var results = await Task.WhenAll(calls).Within("50 concurrent calls");

        for (var i = 0; i < results.Length; i++)
            Assert.Equal((i + 1000).ToString(System.Globalization.CultureInfo.InvariantCulture), Assert.IsType<TextContent>(results[i].Content[0]).Text);
    }

    [Fact]
    public async Task Requests_ThrowInvalidOperation_BeforeInitialize()
    {
        await using var client = new McpClient(new WebSocketConfig(fixture.Server.Url));

        await Assert.ThrowsAsync<InvalidOperationException>(() => client.PingAsync());
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.ListToolsAsync());
    }

    [Theory]
    [InlineData("ws")]
    [InlineData("http")]
    public async Task Requests_ThrowConnectionLost_AfterClientIsClosed(string transport)
    {
        var client = await ConnectAsync(transport);
        await client.CloseAsync().Within("close");

        await Assert.ThrowsAsync<McpConnectionLostException>(() => client.PingAsync());
        Assert.Equal(McpClientState.Closed, client.State);
        Assert.False(client.Transport.IsConnected);
    }

    [Theory]
    [InlineData("ws")]
    [InlineData("http")]
    public async Task InitializeAsync_ThrowsConnectException_WhenPathIsWrong(string transport)
    {
        var url = new UriBuilder(fixture.Server.UrlFor(transport)) { Path = "/elsewhere" }.Uri;
        await using var client = new McpClient(McpTransportConfig.ForUrl(url));

        var ex = await Assert.ThrowsAsync<McpConnectException>(() => client.InitializeAsync(ClientCapabilities.Minimal()).Within("initialize"));

        Assert.Equal(System.Net.HttpStatusCode.NotFound, ex.StatusCode);
        Assert.False(ex.IsRetryable);
    }
}

/// <summary>Keeps every progress report, in order, as it is reported (synchronously, unlike <see cref="Progress{T}"/>).</summary>
internal sealed class ListProgress(Action? onReport = null) : IProgress<ProgressParams>
{
    private readonly List<ProgressParams> _reports = [];

    public IReadOnlyList<ProgressParams> Reports
    {
        get
        {
            lock (_reports) return [.. _reports];
        }
    }

    public void Report(ProgressParams value)
    {
        lock (_reports) _reports.Add(value);
        onReport?.Invoke();
    }
}
