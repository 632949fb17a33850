using System.Threading.Channels;

namespace Pmcp.Client.Tests.Support;

/// <summary>Records a client's connection events in order, for tests to await one by one.</summary>
internal sealed class ClientEvents
{
    private readonly Channel<EventArgs> _events = Channel.CreateUnbounded<EventArgs>();

    public ClientEvents(McpClient client, Action<McpReconnectingEventArgs>? onReconnecting = null)
    {
        client.Disconnected += (_, e) => _events.Writer.TryWrite(e);
        client.Reconnecting += (_, e) =>
        {
            onReconnecting?.Invoke(e);
            _events.Writer.TryWrite(e);
        };
        client.Reconnected += (_, e) => _events.Writer.TryWrite(e);
        client.GaveUp += (_, e) => _events.Writer.TryWrite(e);
    }

    /// <summary>The next event, which must be a <typeparamref name="T"/> (or derive from it).</summary>
    public async Task<T> NextAsync<T>(TimeSpan? timeout = null)
        where T : EventArgs
    {
        var next = await _events.Reader.ReadAsync().Within($"a {typeof(T).Name}", timeout).ConfigureAwait(false);
        return Assert.IsAssignableFrom<T>(next);
    }

    /// <summary>True when no event is waiting to be read right now.</summary>
    public bool IsEmpty => !_events.Reader.TryPeek(out _);
}
