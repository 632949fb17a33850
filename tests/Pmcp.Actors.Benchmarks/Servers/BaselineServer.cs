using System.Buffers;
using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Pmcp.Actors.Benchmarks.Servers;

/// <summary>
/// The thin WebSocket baseline: Kestrel WebSocket, one receive loop per socket, answers <c>initialize</c>, <c>ping</c> and
/// <c>tools/call echo</c> directly with System.Text.Json (<see cref="ThinJsonRpc"/>), one message at a time, no actors. It holds a 4 KiB pooled
/// receive buffer per socket (the same first size as Pmcp.Actors' read pump) and keeps the same keepalive (30 s / 30 s).
/// It is the near-limit reference for this machine, not an MCP server: no lifecycle, no limits, no concurrency per socket.
/// </summary>
internal static class BaselineServer
{
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(string host, int port)
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
        app.Map("/mcp", mcp => mcp.Run(HandleAsync));
        await app.StartAsync().ConfigureAwait(false);
        Console.WriteLine($"listening on ws://{host}:{new Uri(app.Urls.First()).Port}/mcp");
        await app.WaitForShutdownAsync().ConfigureAwait(false);
        return 0;
    }

    private static async Task HandleAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            return;
        }

        var offered = context.WebSockets.WebSocketRequestedProtocols.Contains("mcp");
        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            SubProtocol = offered ? "mcp" : null,
            KeepAliveInterval = KeepAlive,
            KeepAliveTimeout = KeepAlive,
        }).ConfigureAwait(false);

        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        ArrayBufferWriter<byte>? output = null;
        Utf8JsonWriter? writer = null;
        var count = 0;
        try
        {
            while (true)
            {
                if (count == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, count).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var result = await socket.ReceiveAsync(buffer.AsMemory(count), CancellationToken.None).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    if (socket.State == WebSocketState.CloseReceived)
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).ConfigureAwait(false);
                    return;
                }
                count += result.Count;
                if (!result.EndOfMessage) continue;

                output ??= new ArrayBufferWriter<byte>(512);
                output.ResetWrittenCount();
                if (writer is null) writer = new Utf8JsonWriter(output);
                else writer.Reset(output);
                var answered = ThinJsonRpc.Answer(new ReadOnlySequence<byte>(buffer.AsMemory(0, count)), writer) != ThinMessageKind.Notification;
                count = 0;
                if (!answered) continue;
                writer.Flush();
                await socket.SendAsync(output.WrittenMemory, WebSocketMessageType.Text, true, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (WebSocketException)
        {
        }
        finally
        {
            writer?.Dispose();
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
