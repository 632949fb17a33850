using Microsoft.AspNetCore.Http;

namespace Pmcp.Actors.Transport;

/// <summary>
/// Aborts an HTTP exchange's connection when what it answers is cut for the bytes it holds, unless the exchange is done
/// with it: the context may serve another request afterwards, so the abort and the end of the exchange take turns under
/// one lock. A write to a client that does not read would otherwise keep its answer in memory until the client went away.
/// </summary>
internal sealed class PostAbort(HttpContext context)
{
    private readonly Lock _lock = new();
    private bool _done;

    public void Abort()
    {
        lock (_lock)
        {
            if (!_done) context.Abort();
        }
    }

    public void Done()
    {
        lock (_lock) _done = true;
    }
}
