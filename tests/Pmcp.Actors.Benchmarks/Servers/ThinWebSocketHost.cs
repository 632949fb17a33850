using System.Buffers;
using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Pmcp.Actors.Benchmarks.Servers;

/// <summary>
/// What the thin WebSocket baselines share, so that they differ only in what they do with a message: Kestrel on the
/// MCP path with no connection limits, the upgrade with Pmcp.Actors' keepalive (30 s / 30 s) and subprotocol, and a
/// pooled receive buffer of the read pump's first size that doubles when a message fills it.
/// </summary>
internal static class ThinWebSocketHost
{
    public const int FirstBufferSize = 4096;

    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(30);

    /// <summary>Serves <paramref name="handle"/> at <c>/mcp</c>, prints 'listening on ws://HOST:PORT/mcp', and runs until shut down.</summary>
    public static async Task RunAsync(string host, int port, RequestDelegate handle)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k =>
        {
            k.Listen(IPAddress.Parse(host), port);
            k.Limits.MaxConcurrentConnections = null;
            k.Limits.MaxConcurrentUpgradedConnections = null;
        });
        var app = builder.Build();
        app.UseWebSockets();
        app.Map("/mcp", mcp => mcp.Run(handle));
        await app.StartAsync().ConfigureAwait(false);
        Console.WriteLine($"listening on ws://{host}:{new Uri(app.Urls.First()).Port}/mcp");
        await app.WaitForShutdownAsync().ConfigureAwait(false);
    }

    /// <summary>The upgraded socket, or null after answering a plain HTTP request with 426.</summary>
    public static async Task<WebSocket?> AcceptAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            return null;
        }
        var offered = context.WebSockets.WebSocketRequestedProtocols.Contains("mcp");
        return await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            SubProtocol = offered ? "mcp" : null,
            KeepAliveInterval = KeepAlive,
            KeepAliveTimeout = KeepAlive,
        }).ConfigureAwait(false);
    }

    /// <summary><paramref name="buffer"/>, or a pooled one twice its size holding its first <paramref name="count"/> bytes when it is full.</summary>
    public static byte[] WithRoom(byte[] buffer, int count)
    {
        if (count < buffer.Length) return buffer;
        var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
        buffer.AsSpan(0, count).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(buffer);
        return larger;
    }
}
