using System.Net;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pmcp.Actors.Hosting;
using Pmcp.Actors.Tools;
using Pmcp.Actors.Transport;
using Pmcp.Client;
using Pmcp.Protocol;
using Xunit;
using Xunit.Abstractions;

namespace Pmcp.Actors.TestKit;

/// <summary>
/// A test class for your own MCP server: override <see cref="ConfigureServer"/> with the tools, resources and prompts
/// you register in your app, then connect a <see cref="McpClient"/> to it and call them through the protocol. The
/// server's actors run in this test kit's <c>Sys</c> (so <c>ExpectMsg</c>, probes and your own actors work beside
/// them) behind a Kestrel endpoint on a loopback port of its own, which starts on first connect and stops with the test.
/// </summary>
public abstract class McpServerTestKit : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private readonly ITestOutputHelper? _output;
    private readonly List<McpClient> _clients = [];
    private readonly SemaphoreSlim _starting = new(1, 1);
    private WebApplication? _app;
    private McpServerRuntime? _runtime;

    protected McpServerTestKit(ITestOutputHelper? output = null)
        : base(output: output)
    {
        _output = output;
    }

    /// <summary>Registers the server under test: name, tools, resources, prompts.</summary>
    protected abstract void ConfigureServer(McpServerBuilder server);

    /// <summary>Changes the server's options (limits, timeouts, authorization); the defaults are the server's own.</summary>
    protected virtual void ConfigureOptions(McpServerOptions options)
    {
    }

    /// <summary>The running server (add or remove tools, notify resource changes, log to clients); starts it if needed.</summary>
    protected async Task<McpServerRuntime> ServerAsync()
    {
        await StartAsync().ConfigureAwait(false);
        return _runtime!;
    }

    /// <summary>The server's MCP endpoint as a WebSocket URL (ws://127.0.0.1:PORT/mcp); starts the server if needed.</summary>
    protected async Task<Uri> WebSocketUrlAsync()
    {
        await StartAsync().ConfigureAwait(false);
        var http = new Uri(_app!.Urls.First());
        return new UriBuilder(http) { Scheme = "ws", Path = _runtime!.Options.Path }.Uri;
    }

    /// <summary>The server's Streamable HTTP endpoint (http://127.0.0.1:PORT/mcp); starts the server if needed.</summary>
    protected async Task<Uri> HttpUrlAsync()
    {
        await StartAsync().ConfigureAwait(false);
        return new UriBuilder(new Uri(_app!.Urls.First())) { Path = _runtime!.Options.Path }.Uri;
    }

    /// <summary>
    /// A client connected over a loopback WebSocket and initialized, closed when the test ends. Set its handlers
    /// (<see cref="McpClientTestExtensions.AnswerSamplingWith"/>, <see cref="McpClient.SetElicitationHandler"/>) before
    /// the calls that need them.
    /// </summary>
    protected async Task<McpClient> ConnectAsync(ClientCapabilities? capabilities = null, McpClientOptions? options = null)
    {
        var url = await WebSocketUrlAsync().ConfigureAwait(false);
        var config = new WebSocketConfig { Url = url, AutoReconnect = false, RequestTimeout = TimeSpan.FromSeconds(30) };
        var client = await McpClient.ConnectAsync(config, capabilities ?? ClientCapabilities.Minimal(), options).ConfigureAwait(false);
        lock (_clients) _clients.Add(client);
        return client;
    }

    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync()
    {
        List<McpClient> clients;
        lock (_clients) clients = [.. _clients];
        foreach (var client in clients) await client.DisposeAsync().ConfigureAwait(false);
        if (_app is not null)
        {
            await _app.StopAsync().ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task StartAsync()
    {
        await _starting.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_app is not null) return;
            var server = new McpServerBuilder().Name(GetType().Name);
            ConfigureServer(server);
            var options = new McpServerOptions { DrainTimeout = TimeSpan.FromSeconds(2), CloseTimeout = TimeSpan.FromSeconds(2) };
            ConfigureOptions(options);
            // The same rules as a host's start: a bad option fails the test with the option named.
            if (new McpServerOptionsValidator().Validate(null, options) is { Failed: true } invalid)
                throw new Microsoft.Extensions.Options.OptionsValidationException(nameof(McpServerOptions), typeof(McpServerOptions), invalid.Failures);

            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            if (_output is not null) builder.Logging.AddProvider(new TestOutputLoggerProvider(_output));
            builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
            builder.Services.AddSingleton(sp => new McpServerRuntime(server.Build(), options, ActorRegistry.For(Sys))
            {
                Metrics = new Diagnostics.McpMetrics(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()),
            });
            builder.Services.AddSingleton(Sys);
            builder.Services.AddRateLimiter(_ => { });
            var app = builder.Build();
            var runtime = app.Services.GetRequiredService<McpServerRuntime>();
            McpServerActors.Start(Sys, runtime, app.Services.GetRequiredService<ILoggerFactory>());
            app.MapMcp();
            await app.StartAsync().ConfigureAwait(false);
            (_app, _runtime) = (app, runtime);
        }
        finally
        {
            _starting.Release();
        }
    }
}
