using System.Text;
using Microsoft.AspNetCore.Http;

namespace Pmcp.Actors.Transport;

/// <summary>
/// A plain <c>application/json</c> answer to a Streamable HTTP POST, written with its <c>Content-Length</c>: the text is
/// encoded straight into the response's pipe and sent with its headers in one write. Without a length Kestrel framed
/// each answer as chunked, which took a second send for the closing chunk (and the client a second read).
/// </summary>
internal static class JsonAnswer
{
    public static Task WriteAsync(HttpContext context, int status, string json)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.ContentLength = Encoding.UTF8.GetByteCount(json);
        var body = response.BodyWriter;
        Encoding.UTF8.GetBytes(json, body);
        var flushed = body.FlushAsync(context.RequestAborted);
        return flushed.IsCompletedSuccessfully ? Task.CompletedTask : flushed.AsTask();
    }
}
