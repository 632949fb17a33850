namespace Pmcp.Actors.Transport;

/// <summary>
/// Admission before the upgrade (or before a Streamable HTTP session starts): counts open sockets and HTTP sessions
/// together against <see cref="McpServerOptions.MaxConnections"/> and closes the door for good once shutdown begins.
/// Both refusals are HTTP 503.
/// </summary>
internal sealed class ConnectionGate(McpServerOptions options)
{
    private int _open;
    private volatile bool _closed;

    public int OpenConnections => Volatile.Read(ref _open);

    public bool IsClosed => _closed;

    public bool TryEnter(out string refusal)
    {
        if (_closed)
        {
            refusal = "The server is shutting down.";
            return false;
        }

        if (Interlocked.Increment(ref _open) > options.MaxConnections)
        {
            Interlocked.Decrement(ref _open);
            refusal = $"The server is at its connection limit ({options.MaxConnections}).";
            return false;
        }

        refusal = "";
        return true;
    }

    public void Exit() => Interlocked.Decrement(ref _open);

    public void CloseForShutdown() => _closed = true;
}
