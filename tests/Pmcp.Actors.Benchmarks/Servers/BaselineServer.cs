using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Pmcp.Actors.Benchmarks.Servers;

/// <summary>
/// The thin WebSocket baseline: Kestrel WebSocket, one receive loop per socket, answers <c>initialize</c>, <c>ping</c> and
/// <c>tools/call echo</c> directly with System.Text.Json (<see cref="ThinJsonRpc"/>), one message at a time, no actors. It holds a 4 KiB pooled
/// receive buffer per socket (the same first size as Pmcp.Actors' read pump) and keeps the same keepalive (30 s / 30 s).
/// It is the near-limit reference for this machine, not an MCP server: no lifecycle, no limits, no concurrency per socket.
/// </summary>
internal static class BaselineServer
{
    public static async Task<int> RunAsync(string host, int port)
    {
        await ThinWebSocketHost.RunAsync(host, port, HandleAsync).ConfigureAwait(false);
        return 0;
    }

    private static async Task HandleAsync(HttpContext context)
    {
        using var socket = await ThinWebSocketHost.AcceptAsync(context).ConfigureAwait(false);
        if (socket is null) return;

        var buffer = ArrayPool<byte>.Shared.Rent(ThinWebSocketHost.FirstBufferSize);
        ArrayBufferWriter<byte>? output = null;
        Utf8JsonWriter? writer = null;
        var count = 0;
        try
        {
            while (true)
            {
                buffer = ThinWebSocketHost.WithRoom(buffer, count);
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
