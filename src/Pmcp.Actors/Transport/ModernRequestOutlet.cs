using Akka.Actor;
using Pmcp.Actors.Messages;
using Pmcp.Actors.Session;
using Pmcp.Protocol;

namespace Pmcp.Actors.Transport;

/// <summary>
/// The outlet of one 2026-07-28 request over Streamable HTTP: its POST's stream and nothing else. It used to be a whole
/// <see cref="StreamableHttpSession"/> (a table of POSTs, a GET stream's queue, a read valve, an end to await, a random
/// id), made and dropped for every request although a 2026 request has one POST, no GET stream, no id given out and
/// nobody waiting for it to be readable (issue 29: allocations per request). What it keeps is what the request can
/// use: the POST's stream with the connection's outbound budget, its place at the gate, and its end told to the host,
/// unless the host let go of it first (<see cref="ReleaseHost"/>).
/// </summary>
internal sealed class ModernRequestOutlet : IConnectionOutlet, IOutboundWrites
{
    private const int HostAttached = 0, HostReleased = 1, HostTold = 2;

    private readonly RequestId _request;
    private readonly GatePlace _place;
    private readonly OutboundBytes _outboundBytes;
    private int _ended;
    private int _host;

    public ModernRequestOutlet(RequestId request, GatePlace place, McpServerOptions options, ServerOutboundBudget? serverBudget = null)
    {
        _request = request;
        _place = place;
        _outboundBytes = new OutboundBytes(options.MaxOutboundBytesPerConnection, serverBudget, () => CutOff(StreamableHttpSession.ServerBudgetExceeded));
        Post = new StreamableHttpSession.PostStream(options.OutboundQueueCapacity, _outboundBytes);
    }

    public string ProtocolName => Diagnostics.McpTelemetryNames.ProtocolHttp;

    /// <summary>The request's host; told when the outlet ends, unless it let go first.</summary>
    public IActorRef Actor { get; set; } = ActorRefs.Nobody;

    /// <summary>What the POST streams back: messages for the request, the last one its response.</summary>
    public StreamableHttpSession.PostStream Post { get; }

    public bool HasEnded => Volatile.Read(ref _ended) != 0;

    /// <summary>What the request's messages hold now, in bytes, from queued until written.</summary>
    public long QueuedOutboundBytes => _outboundBytes.Queued;

    /// <summary>
    /// Aborted after the request is ended for the bytes it holds (past its own budget, or picked by the server's): the
    /// POST's write to a client that does not read would otherwise keep the answer in memory until the client went away.
    /// Held as itself, not as a delegate to its method: one object less per request (issue 29).
    /// </summary>
    public PostAbort? Abort { get; set; }

    /// <summary>
    /// The POST took <paramref name="json"/> off its queue and is writing it to a client that may not read: it counts
    /// against the budgets again until <see cref="Written"/>. The request's answer is one message, so counted only while
    /// queued it would count for nothing while its client, not reading, keeps it in the response's pipe.
    /// </summary>
    public void Writing(string json) => _outboundBytes.Add(json); // fits or not, the next message queued is the one refused

    /// <summary>The write of <paramref name="json"/> that <see cref="Writing"/> counted ended (written, or failed).</summary>
    public void Written(string json) => _outboundBytes.Remove(json);

    /// <summary>
    /// Queues a message for the request's POST. A message tied to no request (or to another) has nowhere to go in this
    /// era, which has no GET stream: it is dropped, as the unnamed session's GET queue, which nobody could open, dropped it.
    /// </summary>
    public bool Send(string json, RequestId? related = null, bool final = false)
    {
        if (HasEnded) return false;
        if (related != _request) return true;
        if (Post.IsAbandoned) return true; // the client went away: the response is dropped (the spec does not read that as cancellation)
        if (!_outboundBytes.Add(json))
        {
            _outboundBytes.Remove(json);
            CutOff("closed by the server: outbound budget exceeded: the client is not reading");
            return false;
        }
        if (Post.TryWrite(json, final)) return true;
        _outboundBytes.Remove(json);
        if (Post.IsAbandoned) return true;
        End("closed by the server: outbound queue full: the client is not reading");
        return false;
    }

    private void CutOff(string reason)
    {
        End(reason);
        Abort?.Abort();
    }

    public void Close(CloseReason reason) => End($"closed by the server: {reason.Text}");

    // Nothing waits to hand the request over: it was handed over whole, with its POST.
    public void PauseReading()
    {
    }

    public void ResumeReading()
    {
    }

    public void RequestCancelled(RequestId id)
    {
        if (id == _request) Post.Abandon();
    }

    /// <summary>The request's host is done with it (see <see cref="IConnectionOutlet.ReleaseHost"/>); false when it has ended already.</summary>
    public bool ReleaseHost() => Interlocked.CompareExchange(ref _host, HostReleased, HostAttached) == HostAttached;

    /// <summary>The request is over (its POST ended, or the server closed it): the stream finishes, the place is given back, the host is told.</summary>
    public void End(string reason)
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0) return;
        Post.Abandon();
        // Out of the server's sum and its list of connections to cut: a request is registered there with its first
        // message, and one never released stayed listed for the life of the server, with its outlet, stream and last
        // answer (about 2 KB a request, issue 29). A write still counted after this leaves the sum alone (OutboundBytes).
        _outboundBytes.Release();
        _place.Release();
        if (Interlocked.Exchange(ref _host, HostTold) == HostAttached) Actor.Tell(new ConnectionProtocol.SocketClosed(reason));
    }
}
