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
/// them). Clients reach it in memory by default (no socket), or end to end through a Kestrel endpoint on a loopback
/// port of its own (WebSocket or Streamable HTTP: <see cref="Transport"/>), which starts on first use and stops with the test.
/// </summary>
public abstract class McpServerTestKit : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private readonly ITestOutputHelper? _output;
    private readonly List<McpClient> _clients = [];
    private readonly SemaphoreSlim _starting = new(1, 1);
    private WebApplication? _app;
    private McpServerRuntime? _runtime;
    private bool _listening;

    /// <summary>Generous: a loaded CI machine must not fail a test by its clock.</summary>
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

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

    /// <summary>The server's MCP endpoint as a WebSocket URL (ws://127.0.0.1:PORT/mcp); starts the server and its endpoint if needed.</summary>
    protected async Task<Uri> WebSocketUrlAsync()
    {
        await ListenAsync().ConfigureAwait(false);
        var http = new Uri(_app!.Urls.First());
        return new UriBuilder(http) { Scheme = "ws", Path = _runtime!.Options.Path }.Uri;
    }

    /// <summary>The server's Streamable HTTP endpoint (http://127.0.0.1:PORT/mcp); starts the server and its endpoint if needed.</summary>
    protected async Task<Uri> HttpUrlAsync()
    {
        await ListenAsync().ConfigureAwait(false);
        return new UriBuilder(new Uri(_app!.Urls.First())) { Path = _runtime!.Options.Path }.Uri;
    }

    /// <summary>
    /// How <see cref="ConnectAsync(ClientCapabilities?, McpClientOptions?)"/> reaches the server. Default
    /// <see cref="McpTestTransport.InMemory"/>: no socket. Override it to run a test class end to end over
    /// <see cref="McpTestTransport.WebSocket"/> or <see cref="McpTestTransport.StreamableHttp"/>; the tests stay the same.
    /// </summary>
    protected virtual McpTestTransport Transport => McpTestTransport.InMemory;

    /// <summary>
    /// A client connected over <see cref="Transport"/> and initialized, closed when the test ends. Set its handlers
    /// (<see cref="McpClientTestExtensions.AnswerSamplingWith"/>, <see cref="McpClient.SetElicitationHandler"/>) before
    /// the calls that need them.
    /// </summary>
    protected Task<McpClient> ConnectAsync(ClientCapabilities? capabilities = null, McpClientOptions? options = null) =>
        ConnectOverAsync(Transport, capabilities, options);

    /// <summary>As <see cref="ConnectAsync(ClientCapabilities?, McpClientOptions?)"/>, over <paramref name="transport"/>.</summary>
    protected async Task<McpClient> ConnectOverAsync(McpTestTransport transport, ClientCapabilities? capabilities = null, McpClientOptions? options = null)
    {
        McpTransportConfig config = transport switch
        {
            McpTestTransport.InMemory => await InMemoryConfigAsync().ConfigureAwait(false),
            McpTestTransport.WebSocket => new WebSocketConfig(await WebSocketUrlAsync().ConfigureAwait(false)) { AutoReconnect = false, RequestTimeout = RequestTimeout },
            McpTestTransport.StreamableHttp => new StreamableHttpConfig(await HttpUrlAsync().ConfigureAwait(false)) { AutoReconnect = false, RequestTimeout = RequestTimeout },
            _ => throw new ArgumentOutOfRangeException(nameof(transport), transport, "No such test transport."),
        };
        var client = await McpClient.ConnectAsync(config, capabilities ?? ClientCapabilities.Minimal(), options).ConfigureAwait(false);
        lock (_clients) _clients.Add(client);
        return client;
    }

    /// <summary>Each connect opens an <see cref="McpInMemorySession"/> on the running server.</summary>
    private async Task<InMemoryConfig> InMemoryConfigAsync()
    {
        var runtime = await ServerAsync().ConfigureAwait(false);
        return new InMemoryConfig(async cancellationToken =>
        {
            var session = await McpInMemorySession.OpenAsync(runtime, cancellationToken).ConfigureAwait(false);
            return new InMemoryChannels(session.ToServer, session.FromServer);
        })
        {
            AutoReconnect = false,
            RequestTimeout = RequestTimeout,
        };
    }

    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync()
    {
        List<McpClient> clients;
        lock (_clients) clients = [.. _clients];
        foreach (var client in clients) await client.DisposeAsync().ConfigureAwait(false);
        if (_app is not null)
        {
            if (_listening) await _app.StopAsync().ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Builds the host and starts the server's actors; the endpoint listens only once a socket is asked for.</summary>
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
            builder.Services.AddMcpEndpointServices();
            var app = builder.Build();
            var runtime = app.Services.GetRequiredService<McpServerRuntime>();
            McpServerActors.Start(Sys, runtime, app.Services.GetRequiredService<ILoggerFactory>());
            app.MapMcp();
            (_app, _runtime) = (app, runtime);
        }
        finally
        {
            _starting.Release();
        }
    }

    /// <summary>Starts the server, and its Kestrel endpoint on a loopback port if it is not listening yet.</summary>
    private async Task ListenAsync()
    {
        await StartAsync().ConfigureAwait(false);
        await _starting.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_listening) return;
            await _app!.StartAsync().ConfigureAwait(false);
            _listening = true;
        }
        finally
        {
            _starting.Release();
        }
    }
}
