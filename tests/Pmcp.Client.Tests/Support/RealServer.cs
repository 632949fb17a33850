using System.Net;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pmcp.Actors;
using Pmcp.Actors.Hosting;
using Pmcp.Actors.Server;
using Pmcp.Actors.Tools;
using Pmcp.Actors.Transport;

namespace Pmcp.Client.Tests.Support;

/// <summary>
/// The real MCP server (Akka actors behind Kestrel) hosted in this process on loopback, over WebSocket and Streamable
/// HTTP on the same path, with the demo tools
/// (echo, add, sleep) and one tool per tools/list page, so that listing all tools takes three pages. Progress is not
/// paced (ProgressInterval 0), so a tool's every report reaches the client.
/// </summary>
internal sealed class RealServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private bool _stopped;

    private RealServer(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
        HttpUrl = new Uri($"http://127.0.0.1:{url.Port}/mcp");
    }

    /// <summary>The server's runtime: add and remove tools, log to every session.</summary>
    public McpServerRuntime Runtime => _app.Services.GetRequiredService<McpServerRuntime>();

    /// <summary>ws://127.0.0.1:PORT/mcp</summary>
    public Uri Url { get; }

    /// <summary>http://127.0.0.1:PORT/mcp: the same endpoint over Streamable HTTP.</summary>
    public Uri HttpUrl { get; }

    /// <summary>The endpoint for <paramref name="transport"/>: "ws" or "http".</summary>
    public Uri UrlFor(string transport) => transport == "http" ? HttpUrl : Url;

    public int Port => Url.Port;

    /// <summary>Starts a server on <paramref name="port"/> (0: any free port).</summary>
    public static async Task<RealServer> StartAsync(int port = 0, Action<McpServerOptions>? options = null, Action<McpServerBuilder>? tools = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, port));
        builder.Services.AddMcpServer(mcp =>
        {
            mcp.Name("test").Version("1.0.0").AddDemoTools();
            tools?.Invoke(mcp);
        }, o =>
        {
            o.ToolsPageSize = 1;
            o.ProgressInterval = TimeSpan.Zero;
            options?.Invoke(o);
        });
        builder.Services.AddAkka("test", (akka, _) => akka.WithMcpServer());
        var app = builder.Build();
        // Named in full: the C# SDK referenced by these tests has a MapMcp of its own in Microsoft.AspNetCore.Builder.
        Pmcp.Actors.Transport.McpEndpointRouteBuilderExtensions.MapMcp(app); // WebSocket and Streamable HTTP on one path
        await app.StartAsync().Within("the MCP server to start", TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        var address = new Uri(app.Urls.First());
        return new RealServer(app, new Uri($"ws://127.0.0.1:{address.Port}/mcp"));
    }

    /// <summary>Stops the server: it drains (in-flight calls get DrainTimeout) and closes every socket with 1001.</summary>
    public async Task StopAsync()
    {
        // Once only: a second StopAsync would run the server's drain again, against an ActorSystem already gone.
        if (_stopped) return;
        _stopped = true;
        await _app.StopAsync().Within("the MCP server to stop", TimeSpan.FromSeconds(30)).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
