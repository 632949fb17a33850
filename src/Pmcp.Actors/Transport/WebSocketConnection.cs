using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using Akka.Actor;
using Pmcp.Actors.Messages;
using Pmcp.Actors.Session;
using Pmcp.Protocol;
using Microsoft.Extensions.Logging;

namespace Pmcp.Actors.Transport;

/// <summary>
/// The socket side of one connection: a read pump that tells the ConnectionActor each complete text message, and a
/// bounded outbound queue drained by one sender at a time (<see cref="Pump"/>). Close codes: 1003 for a binary frame, 1009 for
/// a message over the size limit, 1008 when the outbound queue overflows (in messages or bytes, its own or the server's), 1013 when evicted to make room at the
/// connection limit, and whatever the actor asks for.
/// </summary>
internal sealed partial class WebSocketConnection : IConnectionOutlet, IEvictable
{
    /// <summary>The close code of a socket evicted to make room (RFC 6455's "Try Again Later").</summary>
    public const WebSocketCloseStatus EvictedStatus = (WebSocketCloseStatus)1013;

    public string ProtocolName => Diagnostics.McpTelemetryNames.ProtocolWebSocket;

    private const int InitialBufferSize = 4 * 1024;

    /// <summary>
    /// How much text (two bytes a character) the read loop may have handed the actor that the actor has not yet handled;
    /// past it the loop reads no more until the actor catches up. One message alone always goes, however large. Without
    /// it a client pipelining large messages had the loop decode all it sent (tens of megabytes) into the actor's mailbox
    /// long before the actor could parse it: garbage that cost the whole server full collections, and an actor that then
    /// held a thread for a long batch of large parses while other clients' messages waited (issue 30, fairness).
    /// </summary>
    internal const long InboundBytesAhead = 1024 * 1024;

    /// <summary>The close reason of a socket cut because all connections' queued bytes passed <see cref="McpServerOptions.MaxOutboundBytesTotal"/>.</summary>
    internal const string ServerBudgetExceeded = "server outbound budget exceeded: the client is not reading";

    private readonly WebSocket _socket;
    private readonly McpServerOptions _options;
    private readonly ILogger _logger;
    private readonly Diagnostics.McpMetrics? _metrics;
    private readonly Channel<string> _outbound;
    private readonly OutboundBytes _outboundBytes;
    private readonly ReadValve _valve = new();
    private readonly ReadValve _inboundValve = new(); // shut while the actor is behind by more than InboundBytesAhead
    private long _inboundAhead;
    private readonly WebSocketFramer _framer;
    private readonly CancellationTokenSource _abort = new();
    private WebSocketCloseStatus? _closeStatus;
    private string _closeReason = "";
    private int _closing;
    private int _sender;
    private int _callsInFlight;
    private bool _hasCalled;
    private long _lastActive = System.Diagnostics.Stopwatch.GetTimestamp();
    private readonly TaskCompletionSource _written = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="serverBudget">The server's sum of queued outbound bytes this socket counts in; null: none.</param>
    public WebSocketConnection(WebSocket socket, McpServerOptions options, ILogger logger, Diagnostics.McpMetrics? metrics = null, ServerOutboundBudget? serverBudget = null)
    {
        _socket = socket;
        _options = options;
        _logger = logger;
        _metrics = metrics;
        _framer = new WebSocketFramer(options.MaxMessageBytes);
        _outboundBytes = new OutboundBytes(options.MaxOutboundBytesPerConnection, serverBudget,
            () => Close(WebSocketCloseStatus.PolicyViolation, ServerBudgetExceeded));
        _outbound = Channel.CreateBounded<string>(new BoundedChannelOptions(options.OutboundQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>One stream for everything: the request a message belongs to does not matter here.</summary>
    public bool Send(string json, RequestId? related = null, bool final = false)
    {
        if (Volatile.Read(ref _closing) != 0) return false;
        // Counted before it is queued: the sender may take it off the queue (and uncount it) at once.
        var fits = _outboundBytes.Add(json);
        if (fits && _outbound.Writer.TryWrite(json))
        {
            Pump();
            return true;
        }
        _outboundBytes.Remove(json);
        if (!fits)
        {
            _metrics?.OutboundDroppedOne(ProtocolName);
            Close(WebSocketCloseStatus.PolicyViolation, "outbound budget exceeded: the client is not reading");
            return false;
        }
        _metrics?.OutboundDroppedOne(ProtocolName);
        Close(WebSocketCloseStatus.PolicyViolation, "outbound queue full: the client is not reading");
        return false;
    }

    public void Close(CloseReason reason) => Close(reason.Kind.ToWebSocketStatus(), reason.Text);

    /// <summary>Closes with a status of the WebSocket's own (1003, 1009 and 1008 are decided here, not by the session).</summary>
    private void Close(WebSocketCloseStatus status, string reason)
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0) return;
        _framer.DropMessages(); // after our close frame only the peer's close matters
        _closeStatus = status;
        _closeReason = reason;
        _outbound.Writer.TryComplete();
        _valve.Open();
        _inboundValve.Open(); // only the peer's close is read from now on, and nothing of it reaches the actor
        // A peer that never answers the close frame, or never reads what is queued, cannot hold the socket open.
        _abort.CancelAfter(_options.CloseTimeout);
        Pump();
    }

    /// <summary>The connection is gone under the socket: the read loop, wherever it waits, reads the failure and ends.</summary>
    private void PeerLost()
    {
        _socket.Abort();
        _valve.Open();
        _inboundValve.Open();
    }

    public void PauseReading() => _valve.Close();

    public void ResumeReading() => _valve.Open();

    public void InboundHandled(int chars)
    {
        // Reopened on the way back within the bound; the loop shut it on the way past (see ReadLoopAsync).
        if (Interlocked.Add(ref _inboundAhead, -(long)chars * sizeof(char)) <= InboundBytesAhead) _inboundValve.Open();
    }

    public void CallsInFlight(int count)
    {
        Volatile.Write(ref _callsInFlight, count);
        if (count > 0 && !_hasCalled) Volatile.Write(ref _hasCalled, true);
    }

    public bool HasCalled => Volatile.Read(ref _hasCalled);

    /// <summary>Open, with no call in flight: a socket that only answers pings is idle.</summary>
    public bool IsIdle => Volatile.Read(ref _closing) == 0 && Volatile.Read(ref _callsInFlight) == 0;

    /// <summary>When the client last sent a message (pings and pongs do not count).</summary>
    public long LastActive => Volatile.Read(ref _lastActive);

    public void Evict() => Close(EvictedStatus, "evicted: the server is at its connection limit");

    /// <summary>Runs both loops until the socket is done, telling <paramref name="actor"/> what arrives and when it ends.</summary>
    /// <param name="connectionLost">Kestrel's word that the connection is gone (<c>HttpContext.RequestAborted</c>): a read
    /// loop held back by the session's in-flight limit is not reading, so without it a peer that reset its socket then
    /// would leave the session and its calls running.</param>
    public async Task RunAsync(IActorRef actor, CancellationToken connectionLost = default)
    {
        try
        {
            using var lost = connectionLost.Register(static s => ((WebSocketConnection)s!).PeerLost(), this);
            await RunLoopsAsync(actor).ConfigureAwait(false);
        }
        finally
        {
            // Safe: _closing is set by now, so no later Close() touches the token source.
            _abort.Dispose();
        }
    }

    private async Task RunLoopsAsync(IActorRef actor)
    {
        // The one way the close timeout stops this socket: aborting it fails the pending read and send. Reads and sends
        // take no token of their own, which would register and unregister a callback on every message.
        using var registration = _abort.Token.Register(static s => ((WebSocket)s!).Abort(), _socket);
        var reason = "the read loop failed";
        try
        {
            reason = await ReadLoopAsync(actor).ConfigureAwait(false);
        }
        finally
        {
            // Whatever ended the read side, the actor hears of it, or it would wait for this socket forever.
            actor.Tell(new ConnectionProtocol.SocketClosed(reason));
            if (Interlocked.Exchange(ref _closing, 1) == 0)
            {
                // The peer ended it: flush what is queued, echo its close, and give up after the close timeout.
                _outbound.Writer.TryComplete();
                _abort.CancelAfter(_options.CloseTimeout);
                // From the pool, not inline: this can run inside the transport's completion of the failed read, and
                // ending the connection right there let Kestrel tear it down before it wrote the close frame the
                // WebSocket had just queued (a client that sent invalid UTF-8 saw a reset instead of 1007).
                ThreadPool.UnsafeQueueUserWorkItem(static connection => connection.Pump(), this, preferLocal: false);
            }
            await _written.Task.ConfigureAwait(false);
            // Whatever the sender left on the queue (the socket was aborted) no longer counts in the server's sum.
            _outboundBytes.Release();
        }
    }

    private async Task<string> ReadLoopAsync(IActorRef actor)
    {
        // The framing (idle sockets hold no buffer, fragments joined, 1003, 1009, nothing after our close) is the
        // client's too: WebSocketFramer.
        using var framer = _framer;
        try
        {
            while (true)
            {
                await _valve.WhenOpen().ConfigureAwait(false);
                await _inboundValve.WhenOpen().ConfigureAwait(false);
                var result = await _socket.ReceiveAsync(framer.NextReceiveBuffer(), CancellationToken.None).ConfigureAwait(false);
                var frame = framer.Accept(result);
                switch (frame.Outcome)
                {
                    case WebSocketFrameOutcome.Message:
                        Volatile.Write(ref _lastActive, System.Diagnostics.Stopwatch.GetTimestamp());
                        var inbound = InboundOf(frame.Utf8.Span, out var chars);
                        framer.ReleaseMessage(); // the loop may wait below: it holds no buffer meanwhile
                        // Shut before telling: the actor may handle the message (and reopen) before the next line runs.
                        if (Interlocked.Add(ref _inboundAhead, (long)chars * sizeof(char)) > InboundBytesAhead && Volatile.Read(ref _closing) == 0)
                        {
                            _inboundValve.Close();
                            // Handled meanwhile: reopen, or the loop would wait for a message the actor has already handled.
                            if (Interlocked.Read(ref _inboundAhead) <= InboundBytesAhead) _inboundValve.Open();
                        }
                        actor.Tell(inbound);
                        break;
                    case WebSocketFrameOutcome.Closed:
                        return $"closed by client ({_socket.CloseStatus})";
                    case WebSocketFrameOutcome.Binary:
                        Close(WebSocketCloseStatus.InvalidMessageType, "binary frames are not accepted; send JSON-RPC as text");
                        break;
                    case WebSocketFrameOutcome.TooBig:
                        Close(WebSocketCloseStatus.MessageTooBig, $"message larger than {_options.MaxMessageBytes} bytes");
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            return _abort.IsCancellationRequested ? "aborted after close timeout" : $"socket failed: {ex.Message}";
        }
    }

    /// <summary>
    /// What the actor is told of one text message: the message, parsed here from the frame's bytes when it is strict JSON
    /// and a valid message; anything else as its text, which the session reads with all its rules (batches, parse errors
    /// and their answers). <paramref name="chars"/>: what it counts against <see cref="InboundBytesAhead"/> until the
    /// actor has handled it.
    /// </summary>
    /// <remarks>
    /// Decoded first, every message's text was a string made only to be encoded back to UTF-8 by the reader: 13 % of what
    /// a call allocated (issue 29), and for a large message a string on the large object heap that only a gen2 collection
    /// frees (clients pipelining 256 KB calls made the whole server collect that way, issue 30).
    /// </remarks>
    private static object InboundOf(ReadOnlySpan<byte> utf8, out int chars)
    {
        if (JsonRpcMessage.TryParseStrict(utf8, out var message))
        {
            chars = utf8.Length; // at least as many bytes as characters: the parsed strings hold no more
            return new ConnectionProtocol.InboundMessage(message, chars);
        }
        var text = Encoding.UTF8.GetString(utf8);
        chars = text.Length;
        return new ConnectionProtocol.Inbound(text);
    }

    /// <summary>
    /// Sends what is queued, on the caller's thread while each send completes at once (the usual case: Kestrel takes
    /// the frame into its output pipe), and from the send's continuation once one has to wait. Whoever takes the sender
    /// role drains; a caller that finds it taken leaves its message to the holder. This keeps one sender at a time (a
    /// WebSocket allows no more) without a separate writer loop to wake for every message.
    /// </summary>
    private void Pump()
    {
        if (Interlocked.CompareExchange(ref _sender, 1, 0) != 0) return;
        _ = DrainAsync();
    }

    private async Task DrainAsync()
    {
        var reader = _outbound.Reader;
        while (true)
        {
            // The buffer is rented while there is something to send and returned when the queue runs dry, so an idle
            // socket holds none.
            byte[]? buffer = null;
            try
            {
                while (reader.TryRead(out var json))
                {
                    _outboundBytes.Remove(json);
                    var size = Encoding.UTF8.GetMaxByteCount(json.Length);
                    if (buffer is null || size > buffer.Length)
                    {
                        if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
                        buffer = ArrayPool<byte>.Shared.Rent(Math.Max(size, InitialBufferSize));
                    }
                    var length = Encoding.UTF8.GetBytes(json, buffer);
                    await _socket.SendAsync(buffer.AsMemory(0, length), WebSocketMessageType.Text, true, CancellationToken.None).ConfigureAwait(false);
                }

                if (reader.Completion.IsCompleted)
                {
                    // Closing, and everything queued is sent: the close frame goes last. The role is kept for good.
                    if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                    {
                        var status = _closeStatus ?? (_socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure);
                        await _socket.CloseOutputAsync(status, _closeReason, CancellationToken.None).ConfigureAwait(false);
                    }
                    _written.TrySetResult();
                    return;
                }
            }
            catch (Exception ex)
            {
                // The socket is done for either way; the read side and the actor learn of it when the abort ends the read.
                if (ex is WebSocketException or OperationCanceledException or ObjectDisposedException) LogWriteFailed(_logger, ex.Message);
                else LogWriteError(_logger, ex);
                _socket.Abort();
                _written.TrySetResult();
                return;
            }
            finally
            {
                if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
            }

            Interlocked.Exchange(ref _sender, 0);
            // A message queued after the last TryRead but before the release found the role taken and was left to us.
            if (reader.Count == 0 && !reader.Completion.IsCompleted) return;
            if (Interlocked.CompareExchange(ref _sender, 1, 0) != 0) return;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "WebSocket write ended early: {Reason}")]
    private static partial void LogWriteFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "WebSocket write failed")]
    private static partial void LogWriteError(ILogger logger, Exception error);
}
