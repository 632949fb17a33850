using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Pmcp.Protocol;

namespace Pmcp.Actors.Transport;

/// <summary>
/// Reads a Streamable HTTP POST's body as one message, and answers a body that cannot be one with a 4xx, never 200:
/// 413 past <see cref="McpServerOptions.MaxMessageBytes"/>; 400 for a body Kestrel finds malformed (bad chunked
/// framing); 408 for a body slower than Kestrel's minimum data rate, which is also how a body that stops short of its
/// Content-Length ends (a client that hangs up half-way gets nothing: Kestrel ends the connection); and 400
/// with a -32700 JSON-RPC error for bytes that are not UTF-8, the rule a WebSocket text message has (RFC 6455 closes it
/// with 1007), instead of reading them with U+FFFD in their place. Statuses: README, "Outcomes".
/// </summary>
internal static class HttpRequestBody
{
    /// <summary>
    /// The body's bytes (valid UTF-8) in a buffer rented from the pool; null when it was refused (the answer is written) or
    /// the client went away. The caller gives the buffer back (<see cref="PostedBody.Return"/>).
    /// </summary>
    /// <remarks>
    /// Bytes rather than text (issue 29): the message is read from them, so a POST no longer makes a string of its body
    /// (two bytes a character) only for the reader to encode it to UTF-8 again. A <see cref="ValueTask{TResult}"/>: a body
    /// that has arrived whole is read without a task object.
    /// </remarks>
    public static async ValueTask<PostedBody?> ReadAsync(HttpContext context, int limit)
    {
        if (context.Request.ContentLength > limit)
        {
            await RefuseAsync(context, StatusCodes.Status413PayloadTooLarge, TooLarge(limit)).ConfigureAwait(false);
            return null;
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = limit;

        var reader = context.Request.BodyReader;
        ReadResult read;
        try
        {
            while (true)
            {
                read = await reader.ReadAsync(context.RequestAborted).ConfigureAwait(false);
                if (read.Buffer.Length > limit)
                {
                    reader.AdvanceTo(read.Buffer.End);
                    await RefuseAsync(context, StatusCodes.Status413PayloadTooLarge, TooLarge(limit)).ConfigureAwait(false);
                    return null;
                }
                if (read.IsCanceled)
                {
                    reader.AdvanceTo(read.Buffer.End);
                    return null; // the read was given up on (the request is ending): no whole body to run
                }
                if (read.IsCompleted) break;
                reader.AdvanceTo(read.Buffer.Start, read.Buffer.End); // nothing taken yet: wait for the rest
            }
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel's verdict on the body: 413 over the size limit, 408 too slow, 400 malformed or truncated.
            await RefuseAsync(context, ex.StatusCode, Reason(ex, limit)).ConfigureAwait(false);
            return null;
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            return null; // the client went away: nobody to answer
        }

        var length = (int)read.Buffer.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        read.Buffer.CopyTo(buffer);
        reader.AdvanceTo(read.Buffer.End);
        if (Utf8.IsValid(buffer.AsSpan(0, length))) return new PostedBody(buffer, length);

        ArrayPool<byte>.Shared.Return(buffer);
        await JsonErrorAsync(context, JsonRpcWriter.Error(null, JsonRpcErrorCodes.ParseError,
            "Parse error: the body is not valid UTF-8; a message must be UTF-8 text (RFC 8259).")).ConfigureAwait(false);
        return null;
    }

    private static string TooLarge(int limit) => $"A message may be at most {limit} bytes.";

    private static string Reason(BadHttpRequestException ex, int limit) => ex.StatusCode switch
    {
        StatusCodes.Status413PayloadTooLarge => TooLarge(limit),
        StatusCodes.Status408RequestTimeout => "The request body came more slowly than the server's minimum data rate.",
        _ => "The request body is malformed or incomplete: " + ex.Message,
    };

    private static async Task RefuseAsync(HttpContext context, int status, string text)
    {
        if (context.Response.HasStarted) return;
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await WriteAsync(context, text + "\n").ConfigureAwait(false);
    }

    private static async Task JsonErrorAsync(HttpContext context, string json)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        context.Response.ContentType = "application/json";
        await WriteAsync(context, json).ConfigureAwait(false);
    }

    private static async Task WriteAsync(HttpContext context, string text)
    {
        try
        {
            // Not cancelled by RequestAborted: a client that stopped sending half-way may still be reading, and Kestrel
            // drops what it cannot send.
            await context.Response.WriteAsync(text, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // The client is gone (a truncated body often means it hung up): the status stands in the log, nothing to send.
        }
    }
}

/// <summary>A POST's body as UTF-8, known to be valid, in a buffer rented from the pool until <see cref="Return"/>.</summary>
internal readonly struct PostedBody(byte[] buffer, int length)
{
    public ReadOnlySpan<byte> Utf8 => buffer.AsSpan(0, length);

    /// <summary>The body as text, made on each call: for a body read as text (errors, forwarding), not the usual message.</summary>
    public string Text() => Encoding.UTF8.GetString(Utf8);

    public void Return() => ArrayPool<byte>.Shared.Return(buffer);
}
