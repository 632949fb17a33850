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
/// The thin baseline: Kestrel WebSocket, one receive loop per socket, answers <c>initialize</c>, <c>ping</c> and
/// <c>tools/call echo</c> directly with System.Text.Json, one message at a time, no actors. It holds a 4 KiB pooled
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
                var answered = Answer(buffer.AsMemory(0, count), writer);
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

    /// <summary>Writes the answer to one JSON-RPC message; false for a notification (no answer).</summary>
    internal static bool Answer(ReadOnlyMemory<byte> message, Utf8JsonWriter writer)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(message);
        }
        catch (JsonException)
        {
            WriteError(writer, default, -32700, "Parse error");
            return true;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("method", out var method))
            {
                WriteError(writer, default, -32600, "Invalid request");
                return true;
            }
            if (!root.TryGetProperty("id", out var id)) return false; // a notification

            root.TryGetProperty("params", out var parameters);
            if (method.ValueEquals("tools/call"u8))
            {
                if (parameters.ValueKind == JsonValueKind.Object
                    && parameters.TryGetProperty("name", out var name) && name.ValueEquals("echo"u8)
                    && parameters.TryGetProperty("arguments", out var arguments) && arguments.ValueKind == JsonValueKind.Object
                    && arguments.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
                {
                    WriteHead(writer, id);
                    writer.WriteStartObject("result");
                    writer.WriteStartArray("content");
                    writer.WriteStartObject();
                    writer.WriteString("type", "text");
                    writer.WritePropertyName("text");
                    text.WriteTo(writer);
                    writer.WriteEndObject();
                    writer.WriteEndArray();
                    writer.WriteEndObject();
                    writer.WriteEndObject();
                }
                else
                {
                    WriteError(writer, id, -32602, "Unknown tool or bad arguments");
                }
            }
            else if (method.ValueEquals("initialize"u8))
            {
                WriteHead(writer, id);
                writer.WriteStartObject("result");
                writer.WritePropertyName("protocolVersion");
                if (parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty("protocolVersion", out var version)) version.WriteTo(writer);
                else writer.WriteStringValue("2025-11-25");
                writer.WriteStartObject("capabilities");
                writer.WriteStartObject("tools");
                writer.WriteBoolean("listChanged", true);
                writer.WriteEndObject();
                writer.WriteEndObject();
                writer.WriteStartObject("serverInfo");
                writer.WriteString("name", "thin-baseline");
                writer.WriteString("version", "1.0.0");
                writer.WriteEndObject();
                writer.WriteEndObject();
                writer.WriteEndObject();
            }
            else if (method.ValueEquals("ping"u8))
            {
                WriteHead(writer, id);
                writer.WriteStartObject("result");
                writer.WriteEndObject();
                writer.WriteEndObject();
            }
            else
            {
                WriteError(writer, id, -32601, "Method not found");
            }
            return true;
        }
    }

    private static void WriteHead(Utf8JsonWriter writer, JsonElement id)
    {
        writer.WriteStartObject();
        writer.WriteString("jsonrpc", "2.0");
        writer.WritePropertyName("id");
        id.WriteTo(writer);
    }

    private static void WriteError(Utf8JsonWriter writer, JsonElement id, int code, string message)
    {
        writer.WriteStartObject();
        writer.WriteString("jsonrpc", "2.0");
        writer.WritePropertyName("id");
        if (id.ValueKind == JsonValueKind.Undefined) writer.WriteNullValue();
        else id.WriteTo(writer);
        writer.WriteStartObject("error");
        writer.WriteNumber("code", code);
        writer.WriteString("message", message);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
