using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Pmcp.Actors.Transport;

/// <summary>
/// The Streamable HTTP sessions of one endpoint, by <c>Mcp-Session-Id</c>. Each session holds a place at the
/// <see cref="ConnectionGate"/> (so <see cref="McpServerOptions.MaxConnections"/> counts WebSocket connections and HTTP
/// sessions together) until it ends. A sweep ends sessions idle for <see cref="McpServerOptions.SessionIdleTimeout"/>.
/// </summary>
internal sealed class StreamableHttpSessions : IDisposable
{
    private readonly ConcurrentDictionary<string, StreamableHttpSession> _sessions = new(StringComparer.Ordinal);
    private readonly ConnectionGate _gate;
    private readonly TimeSpan _idleTimeout;
    private readonly CancellationTokenSource _stop = new();
    private int _sweeping;

    public StreamableHttpSessions(ConnectionGate gate, McpServerOptions options, CancellationToken stopping)
    {
        _gate = gate;
        _idleTimeout = options.SessionIdleTimeout;
        stopping.Register(static s => ((CancellationTokenSource)s!).Cancel(), _stop);
    }

    public int Count => _sessions.Count;

    /// <summary>A new session id: 128 random bits as 32 hex digits (visible ASCII, as the spec asks).</summary>
    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public StreamableHttpSession? Find(string id) => _sessions.TryGetValue(id, out var session) && !session.HasEnded ? session : null;

    /// <summary>Registers a session that holds a place at the gate; the place is given back when it ends.</summary>
    public void Add(StreamableHttpSession session)
    {
        _sessions[session.Id] = session;
        EnsureSweeping();
    }

    /// <summary>Called once by each session as it ends.</summary>
    public void Ended(StreamableHttpSession session)
    {
        _sessions.TryRemove(new KeyValuePair<string, StreamableHttpSession>(session.Id, session));
        _gate.Exit();
    }

    private void EnsureSweeping()
    {
        if (Interlocked.Exchange(ref _sweeping, 1) != 0) return;
        _ = SweepAsync();
    }

    private async Task SweepAsync()
    {
        var period = TimeSpan.FromTicks(Math.Clamp(_idleTimeout.Ticks / 4, TimeSpan.FromMilliseconds(50).Ticks, TimeSpan.FromSeconds(30).Ticks));
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                var now = Environment.TickCount64;
                foreach (var session in _sessions.Values)
                {
                    if (session.IsIdle(_idleTimeout, now)) session.End("session expired (idle)");
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The host is stopping: the drain closes what is left.
        }
    }

    public void Dispose() => _stop.Cancel();
}
