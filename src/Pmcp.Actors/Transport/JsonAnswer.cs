using System.Text;
using Microsoft.AspNetCore.Http;

namespace Pmcp.Actors.Transport;

/// <summary>
/// A plain <c>application/json</c> answer to a Streamable HTTP POST, written with its <c>Content-Length</c>: the text is
/// encoded straight into the response's pipe and sent with its headers in one write. Without a length Kestrel framed
/// each answer as chunked, which took a second send for the closing chunk (and the client a second read).
/// A large answer is encoded a piece at a time, each flushed before the next: encoded whole it took a buffer of its full
/// size (Kestrel rents one for a write that large before the headers go), which a client that does not read kept
/// filled and which the shared array pool then kept, uncounted by the outbound budgets; a piece at a time, the pipe holds
/// little more than its own limit and the rest waits as the text the budgets count.
/// </summary>
internal static class JsonAnswer
{
    /// <summary>Characters encoded per write of a large answer (at most three times as many bytes, near Kestrel's 64 KiB pipe limit).</summary>
    internal const int PieceChars = 16 * 1024;

    public static Task WriteAsync(HttpContext context, int status, string json)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.ContentLength = Encoding.UTF8.GetByteCount(json);
        if (json.Length > PieceChars) return WriteInPiecesAsync(context, json);
        var body = response.BodyWriter;
        Encoding.UTF8.GetBytes(json, body);
        var flushed = body.FlushAsync(context.RequestAborted);
        return flushed.IsCompletedSuccessfully ? Task.CompletedTask : flushed.AsTask();
    }

    private static async Task WriteInPiecesAsync(HttpContext context, string json)
    {
        var body = context.Response.BodyWriter;
        var encoder = Encoding.UTF8.GetEncoder(); // keeps a surrogate pair split between pieces whole
        for (var at = 0; at < json.Length; at += PieceChars)
        {
            var length = Math.Min(PieceChars, json.Length - at);
            encoder.Convert(json.AsSpan(at, length), body, flush: at + length == json.Length, out _, out _);
            var flushed = await body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            if (flushed.IsCompleted || flushed.IsCanceled) return; // the client went away, or the request was aborted
        }
    }
}
