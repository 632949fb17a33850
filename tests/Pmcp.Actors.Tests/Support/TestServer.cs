using System.Net;
using System.Net.WebSockets;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pmcp.Actors.Hosting;
using Pmcp.Actors.Server;
using Pmcp.Actors.Tools;
using Pmcp.Actors.Transport;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Support;

/// <summary>
/// An MCP server hosted in-process the way an embedding app does it (Kestrel on 127.0.0.1, port 0, <c>MapMcp</c>: WebSocket
/// and Streamable HTTP on one path, or <c>MapMcpWebSocket</c> with <c>webSocketOnly</c>), with the demo
/// tools (echo, add, sleep) unless asked otherwise. Options start from the server's defaults, with shorter drain and
/// close timeouts so that disposal is quick; <c>configureOptions</c> may change anything.
/// </summary>
internal sealed class TestServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(20);

    private readonly object _stopLock = new();
    private Task? _stopping;

    private TestServer(WebApplication app)
    {
        App = app;
        HttpUri = new Uri(app.Urls.First());
        var builder = new UriBuilder(HttpUri) { Scheme = "ws", Path = Options.Path };
        WebSocketUri = builder.Uri;
        McpHttpUri = new UriBuilder(HttpUri) { Path = Options.Path }.Uri;
    }

    public WebApplication App { get; }

    /// <summary>http://127.0.0.1:PORT</summary>
    public Uri HttpUri { get; }

    /// <summary>ws://127.0.0.1:PORT/mcp</summary>
    public Uri WebSocketUri { get; }

    /// <summary>http://127.0.0.1:PORT/mcp, the Streamable HTTP endpoint (unless started with <c>webSocketOnly</c>).</summary>
    public Uri McpHttpUri { get; }

    public McpServerOptions Options => App.Services.GetRequiredService<McpServerRuntime>().Options;

    public ActorSystem ActorSystem => App.Services.GetRequiredService<ActorSystem>();

    public static async Task<TestServer> StartAsync(
        Action<McpServerBuilder>? configureServer = null,
        Action<McpServerOptions>? configureOptions = null,
        ITestOutputHelper? output = null,
        bool demoTools = true,
        Action<WebApplicationBuilder>? configureHost = null,
        Action<WebApplication>? configureApp = null,
        Action<IEndpointConventionBuilder>? configureEndpoint = null,
        Pmcp.Actors.Cluster.McpClusterOptions? cluster = null,
        Action<AkkaConfigurationBuilder>? configureAkka = null,
        bool webSocketOnly = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        if (output is not null)
        {
            builder.Logging.AddProvider(new XunitLoggerProvider(output));
        }

        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddMcpServer(
            mcp =>
            {
                mcp.Name("test").Version("1.0.0");
                if (demoTools)
                {
                    mcp.AddDemoTools();
                }

                configureServer?.Invoke(mcp);
            },
            o =>
            {
                o.DrainTimeout = TimeSpan.FromSeconds(2);
                o.CloseTimeout = TimeSpan.FromSeconds(2);
                configureOptions?.Invoke(o);
            });
        builder.Services.AddAkka("test", (akka, _) =>
        {
            akka.ConfigureLoggers(loggers =>
                {
                    loggers.LogLevel = Akka.Event.LogLevel.WarningLevel;
                    loggers.ClearLoggers();
                    loggers.AddLoggerFactory();
                })
                .WithMcpServer(cluster);
            configureAkka?.Invoke(akka);
        });

        configureHost?.Invoke(builder);
        var app = builder.Build();
        configureApp?.Invoke(app);
        var endpoint = webSocketOnly ? app.MapMcpWebSocket() : app.MapMcp();
        configureEndpoint?.Invoke(endpoint);
        try
        {
            await app.StartAsync().Within(StartTimeout, "the test server to start").ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new TestServer(app);
    }

    /// <summary>Connects a client (offering the "mcp" subprotocol) and, unless told not to, initializes its session.</summary>
    public async Task<McpTestClient> ConnectAsync(bool initialize = true, string? subProtocol = "mcp", Action<ClientWebSocketOptions>? configure = null, IPAddress? from = null)
    {
        var client = await McpTestClient.ConnectAsync(WebSocketUri, subProtocol, configure: configure, from: from).ConfigureAwait(false);
        if (initialize)
        {
            try
            {
                await client.InitializeAsync().ConfigureAwait(false);
            }
            catch
            {
                await client.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        return client;
    }

    /// <summary>Stops the host (the MCP drain runs first); the same task on every call.</summary>
    public Task StopAsync()
    {
        lock (_stopLock)
        {
            return _stopping ??= App.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync().Within(StopTimeout, "the test server to stop").ConfigureAwait(false);
        }
        finally
        {
            await App.DisposeAsync().ConfigureAwait(false);
        }
    }
}
