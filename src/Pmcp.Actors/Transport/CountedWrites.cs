using System.Net.ServerSentEvents;
using Microsoft.AspNetCore.Http;

namespace Pmcp.Actors.Transport;

/// <summary>Writes of Streamable HTTP answers that count against the outbound budgets until written (<see cref="IOutboundWrites"/>), for both eras.</summary>
internal static class CountedWrites
{
    /// <summary>A JSON answer, counted while written.</summary>
    public static async Task JsonAsync(HttpContext context, int status, string json, IOutboundWrites counter)
    {
        counter.Writing(json);
        try
        {
            await JsonAnswer.WriteAsync(context, status, json).ConfigureAwait(false);
        }
        finally
        {
            counter.Written(json);
        }
    }

    /// <summary>Each event counted while the SSE writer writes it (it asks for the next once the last is written and flushed).</summary>
    public static async IAsyncEnumerable<SseItem<string>> Events(IOutboundWrites counter, IAsyncEnumerable<SseItem<string>> events)
    {
        await foreach (var item in events.ConfigureAwait(false))
        {
            counter.Writing(item.Data);
            try
            {
                yield return item;
            }
            finally
            {
                counter.Written(item.Data);
            }
        }
    }
}
