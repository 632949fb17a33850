using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Pmcp.Actors.Transport;

/// <summary>The endpoint's SSE streams: a POST's answer when something comes before it, and a session's GET stream.</summary>
internal sealed partial class StreamableHttpEndpoint
{
    internal static async Task StreamAsync(HttpContext context, IAsyncEnumerable<SseItem<string>> events)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache,no-store";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        // The client sees the stream open before the first event (a GET stream may wait long for one).
        await response.StartAsync(context.RequestAborted).ConfigureAwait(false);
        await response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        await SseFormatter.WriteAsync(events, response.Body, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>A POST's stream: <paramref name="first"/> (already taken off the queue), then the rest (each uncounted from the session's outbound budget by the stream as it is taken).</summary>
    internal static async IAsyncEnumerable<SseItem<string>> Prepend(StreamableHttpSession.Outbound first, ChannelReader<StreamableHttpSession.Outbound> rest,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        yield return new SseItem<string>(first.Json, "message");
        await foreach (var next in rest.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return new SseItem<string>(next.Json, "message");
        }
    }

    private static async IAsyncEnumerable<SseItem<string>> Standalone(ChannelReader<string> reader, StreamableHttpSession session,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (reader.TryRead(out var json))
            {
                // Counted until written, not only until taken off the queue: a reader that does not read keeps the
                // event being written, and a 256 KB one held that way was a message no budget saw.
                try
                {
                    yield return new SseItem<string>(json, "message");
                }
                finally
                {
                    session.Dequeued(json);
                }
            }
        }
    }
}
