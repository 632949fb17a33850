using System.Text;
using System.Threading.Channels;
using Akka.Actor;
using Pmcp.Actors.Messages;
using Pmcp.Actors.Session;
using Pmcp.Protocol;

namespace Pmcp.Actors.Transport;

/// <summary>
/// The server's side of a <c>Hosting.McpInMemorySession</c>: like a WebSocket, one stream for everything, but the
/// "frames" are strings in two channels. A read pump hands the ConnectionActor each message the client writes (and
/// stops while the actor's valve is shut, so a client that floods waits on the bounded inbound channel, as on a
/// socket's send buffer); what the session sends is queued for the client, up to
/// <see cref="McpServerOptions.OutboundQueueCapacity"/>. The session ends once, whichever side ends it: the actor
/// hears <see cref="ConnectionProtocol.SocketClosed"/>, the client's reader ends with the reason, the gate place is given back.
/// </summary>
internal sealed class InMemoryConnection : IConnectionOutlet
{
    /// <summary>How many client messages may wait for the read pump before the client's writes wait too.</summary>
    private const int InboundCapacity = 64;

    private readonly McpServerOptions _options;
    private readonly GatePlace _place; // never offered for eviction: an in-process session is the host's own
    private readonly Diagnostics.McpMetrics? _metrics;
    private readonly ReadValve _valve = new();
    private readonly TaskCompletionSource<string> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _actorLock = new();
    private IActorRef? _actor;
    private int _closing;
    private int _finished;

    public InMemoryConnection(McpServerOptions options, GatePlace place, Diagnostics.McpMetrics? metrics)
    {
        _options = options;
        _place = place;
        _metrics = metrics;
        Inbound = Channel.CreateBounded<string>(new BoundedChannelOptions(InboundCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        Outbound = Channel.CreateBounded<string>(new BoundedChannelOptions(options.OutboundQueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    }

    public string ProtocolName => Diagnostics.McpTelemetryNames.ProtocolInMemory;

    /// <summary>Client to server.</summary>
    public Channel<string> Inbound { get; }

    /// <summary>Server to client; completes (with a <see cref="ChannelClosedException"/> saying why) when the session ends.</summary>
    public Channel<string> Outbound { get; }

    /// <summary>Completes with the reason once the session has ended on the server's side.</summary>
    public Task<string> Ended => _ended.Task;

    public bool Send(string json, RequestId? related = null, bool final = false)
    {
        if (Volatile.Read(ref _closing) != 0) return false;
        if (Outbound.Writer.TryWrite(json)) return true;
        _metrics?.OutboundDroppedOne(ProtocolName);
        Close(new CloseReason(CloseKind.PolicyViolation, "outbound queue full: the client is not reading"));
        return false;
    }

    /// <summary>What is queued stays readable; then the client's reader ends with the reason, and its writes fail.</summary>
    public void Close(CloseReason reason)
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0) return;
        _valve.Open();
        Finish($"closed by the server ({reason.Kind}: {reason.Text})");
    }

    public void PauseReading() => _valve.Close();

    public void ResumeReading() => _valve.Open();

    /// <summary>Starts the read pump for the session's actor.</summary>
    public void Start(IActorRef actor)
    {
        lock (_actorLock)
        {
            _actor = actor;
            // The session may have closed itself before its actor was known to this side.
            if (_ended.Task.IsCompleted) actor.Tell(new ConnectionProtocol.SocketClosed(_ended.Task.Result));
        }
        _ = Task.Run(ReadLoopAsync);
    }

    private async Task ReadLoopAsync()
    {
        var reader = Inbound.Reader;
        var reason = "closed by the client";
        try
        {
            while (Volatile.Read(ref _closing) == 0)
            {
                await _valve.WhenOpen().ConfigureAwait(false);
                if (!reader.TryRead(out var text))
                {
                    if (!await reader.WaitToReadAsync().ConfigureAwait(false)) break;
                    continue;
                }
                if (Volatile.Read(ref _closing) != 0) break;
                if (text.Length > _options.MaxMessageBytes / 3 && Encoding.UTF8.GetByteCount(text) > _options.MaxMessageBytes)
                {
                    // A WebSocket closes with 1009 here; this transport has no codes of its own, so it is the client's breach of a rule.
                    Close(new CloseReason(CloseKind.PolicyViolation, $"message larger than {_options.MaxMessageBytes} bytes"));
                    break;
                }
                _actor!.Tell(new ConnectionProtocol.Inbound(text));
            }
        }
        catch (Exception ex) when (ex is ChannelClosedException or OperationCanceledException)
        {
            reason = $"the client ended the session: {ex.Message}";
        }
        Finish(reason);
    }

    private void Finish(string reason)
    {
        if (Interlocked.Exchange(ref _finished, 1) != 0) return;
        Volatile.Write(ref _closing, 1);
        Inbound.Writer.TryComplete();
        Outbound.Writer.TryComplete(new ChannelClosedException($"The in-memory session ended: {reason}."));
        _place.Release();
        lock (_actorLock)
        {
            _ended.TrySetResult(reason);
            _actor?.Tell(new ConnectionProtocol.SocketClosed(reason));
        }
    }
}
