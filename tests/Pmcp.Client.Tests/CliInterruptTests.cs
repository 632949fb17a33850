using Pmcp.Client.Tests.Support;
using Pmcp.Protocol;

namespace Pmcp.Client.Tests;

/// <summary>A server with a tool that runs until it is cancelled, and says when it started and when it was cancelled.</summary>
public sealed class CancellableToolServerFixture : IAsyncLifetime
{
    private RealServer? _server;
    private TaskCompletionSource _started = NewSignal();
    private TaskCompletionSource _cancelled = NewSignal();

    internal RealServer Server => _server ?? throw new InvalidOperationException("Not started.");

    /// <summary>Completes when the tool 'wait' has started; <see cref="Reset"/> for the next run.</summary>
    public Task Started => _started.Task;

    /// <summary>Completes when the server cancelled the running 'wait' (its CancellationToken fired).</summary>
    public Task Cancelled => _cancelled.Task;

    public void Reset()
    {
        _started = NewSignal();
        _cancelled = NewSignal();
    }

    public async Task InitializeAsync() => _server = await RealServer.StartAsync(tools: mcp => mcp.Tool("wait", async (_, ctx) =>
    {
        var cancelled = _cancelled;
        _started.TrySetResult();
        try
        {
            await Task.Delay(Timeout.Infinite, ctx.CancellationToken);
        }
        catch (OperationCanceledException)
        {
            cancelled.TrySetResult();
            throw;
        }
        return CallToolResult.Text("never");
    }, "Runs until cancelled."));

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>Ctrl-C (SIGINT) on pmcp during a call: the call is cancelled on the server, and pmcp exits 130.</summary>
public sealed class CliInterruptTests(CancellableToolServerFixture fixture) : IClassFixture<CancellableToolServerFixture>
{
    [Theory]
    [InlineData("ws")]
    [InlineData("http")]
    public async Task Interrupt_CancelsTheCallOnTheServer_AndExits130(string transport)
    {
        fixture.Reset();
        using var pmcp = Cli.Start(null, "tools", "call", "wait", "--timeout", "60", "--url", fixture.Server.UrlFor(transport).ToString());
        await fixture.Started.Within("the tool to start", TimeSpan.FromSeconds(30));

        pmcp.Interrupt();

        await fixture.Cancelled.Within("the server to cancel the call");
        var run = await pmcp.ExitAsync(TimeSpan.FromSeconds(30));
        Assert.True(run.ExitCode == 130, run.ToString());
        Assert.Contains("error: interrupted; the request was cancelled", run.Stderr);
    }
}
