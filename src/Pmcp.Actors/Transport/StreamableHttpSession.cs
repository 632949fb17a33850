using System.Threading.Channels;
using Akka.Actor;
using Pmcp.Actors.Messages;
using Pmcp.Actors.Security;
using Pmcp.Actors.Session;
using Pmcp.Protocol;

namespace Pmcp.Actors.Transport;

/// <summary>
/// One Streamable HTTP session (<c>Mcp-Session-Id</c>) as its ConnectionActor sees it. Each POST that carries a request
/// registers a <see cref="PostStream"/> under the request's id: the response, and whatever the server sends while the
/// request runs (progress, its tool's log messages and requests to the client), go there. Messages tied to no request
/// (list changes, server-wide log messages) go to the session's GET stream; while none is open they wait, up to
/// <see cref="McpServerOptions.OutboundQueueCapacity"/>, the oldest dropped first. A response whose POST is gone is
/// dropped: the spec keeps responses off the GET stream.
/// </summary>
internal sealed partial class StreamableHttpSession : IConnectionOutlet, IEvictable
{
    public string ProtocolName => Diagnostics.McpTelemetryNames.ProtocolHttp;

    /// <summary>Why a session is ended when all connections' queued bytes pass <see cref="McpServerOptions.MaxOutboundBytesTotal"/>.</summary>
    internal const string ServerBudgetExceeded = "closed by the server: server outbound budget exceeded: the client is not reading";

    private readonly object _lock = new();
    private readonly Dictionary<RequestId, PostStream> _posts = [];
    // The GET stream's queue, made when the first message tied to no request comes or a GET attaches: most sessions
    // never have either, and an idle session should hold as little as it can (issue 29: RSS per idle session).
    private Channel<string>? _standalone;
    private readonly Diagnostics.McpMetrics? _metrics;
    private readonly OutboundBytes _outboundBytes;
    private readonly ReadValve _valve = new();
    private readonly McpServerOptions _options;
    private readonly Action<StreamableHttpSession> _onEnded;
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _ending;
    private int _getAttached;
    private int _openRequests;
    private int _callsInFlight;
    private bool _hasCalled;
    private int _initialized;
    private int _confirmed;
    private readonly long _openedAt = Environment.TickCount64;
    private long _lastActivity = Environment.TickCount64;
    private long _lastActive = System.Diagnostics.Stopwatch.GetTimestamp();

    /// <param name="metrics">Where messages dropped from a full GET stream are counted; null: nowhere.</param>
    /// <param name="serverBudget">The server's sum of queued outbound bytes this session counts in; null: none.</param>
    public StreamableHttpSession(string id, CallerIdentity? caller, McpServerOptions options, Action<StreamableHttpSession> onEnded, Diagnostics.McpMetrics? metrics = null, ServerOutboundBudget? serverBudget = null)
    {
        Id = id;
        Caller = caller;
        _options = options;
        _onEnded = onEnded;
        _metrics = metrics;
        _outboundBytes = new OutboundBytes(options.MaxOutboundBytesPerConnection, serverBudget, () => CutOff(ServerBudgetExceeded));
    }

    public string Id { get; }

    /// <summary>Who created the session; later requests must come from the same caller.</summary>
    public CallerIdentity? Caller { get; }

    public IActorRef Actor { get; set; } = ActorRefs.Nobody;

    /// <summary>Its place at the connection gate, given back when it ends.</summary>
    public GatePlace? Place { get; set; }

    public bool HasEnded => Volatile.Read(ref _ending) != 0;

    /// <summary>Completes when the session has ended (closed by the server, deleted by the client, or expired).</summary>
    public Task Ended => _ended.Task;

    /// <summary>Until this completes (the actor's in-flight limit), new requests wait before they are handed to the actor.</summary>
    public Task WhenReadable() => _valve.WhenOpen();

    /// <summary>True once the session answered initialize with success: its id may be given out.</summary>
    public bool IsInitialized => Volatile.Read(ref _initialized) != 0;

    public void Initialized() => Volatile.Write(ref _initialized, 1);

    /// <summary>
    /// The client came back with the session's id (<c>notifications/initialized</c>, or any request): the handshake is
    /// complete. Until then the session expires after <see cref="McpServerOptions.HandshakeTimeout"/>, as a socket that
    /// never initializes is closed, so that initialize requests nobody follows up cannot hold places at the gate.
    /// </summary>
    public void Confirmed() => Volatile.Write(ref _confirmed, 1);

    /// <summary>True when the handshake was not completed within <paramref name="timeout"/> and no request is open.</summary>
    public bool HandshakeExpired(TimeSpan timeout, long now) =>
        Volatile.Read(ref _confirmed) == 0 && Volatile.Read(ref _openRequests) == 0 && now - _openedAt >= (long)timeout.TotalMilliseconds;

    public bool Send(string json, RequestId? related = null, bool final = false)
    {
        if (related is not { } relatedRequest)
        {
            if (HasEnded || !Counted(json)) return false;
            if (!Standalone().Writer.TryWrite(json)) _outboundBytes.Remove(json); // drops the oldest when full; false only once completed
            return true;
        }

        PostStream? post;
        lock (_lock)
        {
            if (HasEnded) return false;
            if (_posts.TryGetValue(relatedRequest, out post) && final) _posts.Remove(relatedRequest);
        }

        if (post is null || post.IsAbandoned)
        {
            // The POST that asked is gone (the client disconnected; the spec does not read that as cancellation).
            // Its response is dropped; what the server asks or tells meanwhile still reaches the client on the GET stream.
            return final || Send(json);
        }

        if (!Counted(json)) return false;
        if (post.TryWrite(json, final)) return true;
        _outboundBytes.Remove(json);
        if (post.IsAbandoned) return true;
        End("closed by the server: outbound queue full: the client is not reading");
        return false;
    }

    /// <summary>Counts a message about to be queued against the session's outbound budget; past it, the session ends (false).</summary>
    private bool Counted(string json)
    {
        if (_outboundBytes.Add(json)) return true;
        _outboundBytes.Remove(json);
        CutOff(OwnBudgetExceeded);
        return false;
    }

    /// <summary>A stream took <paramref name="json"/> off its queue and wrote it (or another gateway relays it): it no longer counts against the budget.</summary>
    public void Dequeued(string json) => _outboundBytes.Remove(json);

    /// <summary>The memory this session's queued messages hold now.</summary>
    public long QueuedOutboundBytes => _outboundBytes.Queued;

    public void Close(CloseReason reason) => End($"closed by the server: {reason.Text}");

    public void PauseReading() => _valve.Close();

    public void ResumeReading() => _valve.Open();

    /// <summary>True while a request <paramref name="id"/> has its stream open (a look that, unlike <see cref="OpenPost"/>, changes nothing).</summary>
    public bool HasOpenPost(RequestId id)
    {
        lock (_lock) return _posts.ContainsKey(id);
    }

    /// <summary>Registers the stream for request <paramref name="id"/>; null when a request with that id is still open.</summary>
    public PostStream? OpenPost(RequestId id)
    {
        lock (_lock)
        {
            if (HasEnded || _posts.ContainsKey(id)) return null;
            var post = new PostStream(_options.OutboundQueueCapacity, _outboundBytes);
            _posts.Add(id, post);
            return post;
        }
    }

    /// <summary>The POST of <paramref name="id"/> ended (answered, or its client went away); later messages for it are rerouted.</summary>
    public void ClosePost(RequestId id, PostStream post)
    {
        lock (_lock)
        {
            if (_posts.TryGetValue(id, out var current) && ReferenceEquals(current, post)) _posts.Remove(id);
        }
        post.Abandon();
    }

    /// <summary>The client cancelled request <paramref name="id"/>: no response follows, so its stream ends.</summary>
    public void RequestCancelled(RequestId id)
    {
        PostStream? post;
        lock (_lock)
        {
            if (!_posts.Remove(id, out post)) return;
        }
        post.Abandon();
    }

    /// <summary>The GET stream's queue, made on first use; completed at once when the session has already ended.</summary>
    private Channel<string> Standalone()
    {
        if (Volatile.Read(ref _standalone) is { } made) return made;
        lock (_lock)
        {
            if (_standalone is null)
            {
                var metrics = _metrics;
                var channel = Channel.CreateBounded<string>(new BoundedChannelOptions(_options.OutboundQueueCapacity)
                {
                    SingleReader = true,
                    FullMode = BoundedChannelFullMode.DropOldest,
                }, dropped =>
                {
                    _outboundBytes.Remove(dropped);
                    metrics?.OutboundDroppedOne(Diagnostics.McpTelemetryNames.ProtocolHttp);
                });
                if (HasEnded) channel.Writer.TryComplete();
                Volatile.Write(ref _standalone, channel);
            }
            return _standalone;
        }
    }

    /// <summary>Attaches the GET stream; null when one is already attached (one at a time) or the session has ended.</summary>
    public ChannelReader<string>? AttachGet()
    {
        if (HasEnded || Interlocked.CompareExchange(ref _getAttached, 1, 0) != 0) return null;
        return Standalone().Reader;
    }

    public void DetachGet() => Volatile.Write(ref _getAttached, 0);

    /// <summary>A request on this session began: the session is not idle while one is open.</summary>
    public void Enter()
    {
        Interlocked.Increment(ref _openRequests);
        Volatile.Write(ref _lastActivity, Environment.TickCount64);
        Volatile.Write(ref _lastActive, System.Diagnostics.Stopwatch.GetTimestamp());
    }

    public void Exit()
    {
        Volatile.Write(ref _lastActivity, Environment.TickCount64);
        Volatile.Write(ref _lastActive, System.Diagnostics.Stopwatch.GetTimestamp());
        Interlocked.Decrement(ref _openRequests);
    }

    /// <summary>True when no request or stream is open and none has been for <paramref name="idle"/>.</summary>
    public bool IdleFor(TimeSpan idle, long now) =>
        Volatile.Read(ref _openRequests) == 0 && now - Volatile.Read(ref _lastActivity) >= (long)idle.TotalMilliseconds;

    public void CallsInFlight(int count)
    {
        Volatile.Write(ref _callsInFlight, count);
        if (count > 0 && !_hasCalled) Volatile.Write(ref _hasCalled, true);
    }

    public bool HasCalled => Volatile.Read(ref _hasCalled);

    /// <summary>No request or stream open and no call in flight (a call whose POST its client dropped still counts).</summary>
    public bool IsIdle => !HasEnded && Volatile.Read(ref _openRequests) == 0 && Volatile.Read(ref _callsInFlight) == 0;

    public long LastActive => Volatile.Read(ref _lastActive);

    public void Evict() => End("evicted: the server is at its connection limit");

    /// <summary>Ends the session: its streams finish, its id is forgotten (404 from now on), its actor stops.</summary>
    public void End(string reason)
    {
        if (Interlocked.Exchange(ref _ending, 1) != 0) return;
        PostStream[] posts;
        lock (_lock)
        {
            posts = [.. _posts.Values];
            _posts.Clear();
        }
        foreach (var post in posts) post.Abandon();
        lock (_lock) _standalone?.Writer.TryComplete(); // one made after this is completed as it is made
        _outboundBytes.Release(); // what the GET stream's queue still holds no longer counts in the server's sum
        _valve.Open();
        _onEnded(this);
        Actor.Tell(new ConnectionProtocol.SocketClosed(reason));
        _ended.TrySetResult();
    }

    internal readonly record struct Outbound(string Json, bool Final);
}
