using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Pmcp.Actors.Transport;

/// <summary>
/// The Streamable HTTP sessions of one endpoint, by <c>Mcp-Session-Id</c>. Each session holds a place at the
/// <see cref="ConnectionGate"/> (so <see cref="McpServerOptions.MaxConnections"/> counts WebSocket connections and HTTP
/// sessions together) until it ends. A sweep ends sessions idle for <see cref="McpServerOptions.SessionIdleTimeout"/>,
/// and sessions whose client never came back after initialize within <see cref="McpServerOptions.HandshakeTimeout"/>.
/// </summary>
internal sealed class StreamableHttpSessions : IDisposable
{
    private readonly ConcurrentDictionary<string, StreamableHttpSession> _sessions = new(StringComparer.Ordinal);
    private readonly TimeSpan _idleTimeout;
    private readonly TimeSpan _handshakeTimeout;
    private readonly CancellationTokenSource _stop = new();
    private int _sweeping;

    public StreamableHttpSessions(McpServerOptions options, CancellationToken stopping)
    {
        _idleTimeout = options.SessionIdleTimeout;
        _handshakeTimeout = options.HandshakeTimeout;
        stopping.Register(static s => ((CancellationTokenSource)s!).Cancel(), _stop);
    }

    public int Count => _sessions.Count;

    /// <summary>A new session id: 128 random bits as 32 hex digits (visible ASCII, as the spec asks).</summary>
    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public StreamableHttpSession? Find(string id) => _sessions.TryGetValue(id, out var session) && !session.HasEnded ? session : null;

    /// <summary>Registers a session that holds a place at the gate (from now on evictable when idle); the place is given back when it ends.</summary>
    public void Add(StreamableHttpSession session)
    {
        _sessions[session.Id] = session;
        session.Place!.Hold(session);
        EnsureSweeping();
    }

    /// <summary>Called once by each session as it ends.</summary>
    public void Ended(StreamableHttpSession session)
    {
        _sessions.TryRemove(new KeyValuePair<string, StreamableHttpSession>(session.Id, session));
        session.Place?.Release();
    }

    private void EnsureSweeping()
    {
        if (Interlocked.Exchange(ref _sweeping, 1) != 0) return;
        _ = SweepAsync();
    }

    private async Task SweepAsync()
    {
        // A quarter of the shorter deadline: a session outlives either by at most that much.
        var shorter = Math.Min(_idleTimeout.Ticks, _handshakeTimeout.Ticks);
        var period = TimeSpan.FromTicks(Math.Clamp(shorter / 4, TimeSpan.FromMilliseconds(50).Ticks, TimeSpan.FromSeconds(30).Ticks));
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                var now = Environment.TickCount64;
                foreach (var session in _sessions.Values)
                {
                    if (session.IdleFor(_idleTimeout, now)) session.End("session expired (idle)");
                    else if (session.HandshakeExpired(_handshakeTimeout, now)) session.End("handshake not completed in time");
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
