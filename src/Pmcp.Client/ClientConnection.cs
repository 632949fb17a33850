using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using Pmcp.Protocol;

namespace Pmcp.Client;

/// <summary>
/// One open WebSocket: a receive loop, the only reader, that queues each complete text message; and a send lock, so
/// the socket has one writer at a time. When the socket ends, for whatever reason, the queue completes with a
/// <see cref="McpConnectionLostException"/> that says why, after the messages that arrived before.
/// </summary>
internal sealed class ClientConnection
{
    private const int InboundQueueCapacity = 256;

    private readonly ClientWebSocket _socket;
    private readonly WebSocketConfig _config;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _abort = new();
    private readonly Channel<string> _inbound = Channel.CreateBounded<string>(new BoundedChannelOptions(InboundQueueCapacity)
    {
        SingleReader = true,
        SingleWriter = true,
        FullMode = BoundedChannelFullMode.Wait,
    });
    private readonly TaskCompletionSource<McpConnectionLostException> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile string? _closingReason;

    public ClientConnection(ClientWebSocket socket, WebSocketConfig config, int generation)
    {
        _socket = socket;
        _config = config;
        Generation = generation;
    }

    /// <summary>Counts the connections a transport has opened: 1 for the first, 2 after the first reconnect, …</summary>
    public int Generation { get; }

    public string? SubProtocol => _socket.SubProtocol;

    public bool IsOpen => !_ended.Task.IsCompleted && _socket.State == WebSocketState.Open && _closingReason is null;

    /// <summary>Completes when the socket is done, with the reason as an exception (not thrown).</summary>
    public Task<McpConnectionLostException> Ended => _ended.Task;

    public void Start() => _ = Task.Run(ReceiveLoopAsync);

    /// <summary>The next message; throws <see cref="McpConnectionLostException"/> once the socket has ended and every earlier message was read.</summary>
    public async ValueTask<string> ReceiveAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _inbound.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw await _ended.Task.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Writes one text message. <paramref name="cancellationToken"/> bounds only the wait for the socket's writer
    /// slot: cancelling a write in progress would abort the socket.
    /// </summary>
    public async Task SendAsync(string json, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        byte[]? buffer = null;
        try
        {
            if (!IsOpen) throw NotOpen();
            buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(json.Length));
            var length = Encoding.UTF8.GetBytes(json, buffer);
            await _socket.SendAsync(buffer.AsMemory(0, length), WebSocketMessageType.Text, true, _abort.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException
                                   || (ex is OperationCanceledException && _abort.IsCancellationRequested))
        {
            throw new McpConnectionLostException($"Could not send to {_config.Url}: {ex.Message}", ex);
        }
        finally
        {
            _sendLock.Release();
            if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Sends a close frame, waits up to <see cref="McpTransportConfig.CloseTimeout"/> for the server's, then aborts.</summary>
    public async Task CloseAsync(WebSocketCloseStatus status, string reason)
    {
        _closingReason ??= "the client closed the connection";
        try
        {
            using var timeout = new CancellationTokenSource(_config.CloseTimeout);
            await SendCloseAsync(status, reason, timeout.Token).ConfigureAwait(false);
            await _ended.Task.WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The server did not take part in the close handshake in time; the abort below ends it.
        }
        finally
        {
            Abort("the client closed the connection");
        }
    }

    /// <summary>Ends the socket at once (no close handshake); the receive loop ends with <paramref name="reason"/>.</summary>
    public void Abort(string reason)
    {
        _closingReason ??= reason;
        _abort.Cancel();
        _socket.Abort();
    }

    private async Task ReceiveLoopAsync()
    {
        // The framing (fragments joined, 1003, 1009, nothing after our close, no buffer while idle) is the server's too.
        using var framer = new WebSocketFramer(_config.MaxMessageBytes);
        McpConnectionLostException reason;
        try
        {
            while (true)
            {
                var frame = framer.Accept(await _socket.ReceiveAsync(framer.NextReceiveBuffer(), _abort.Token).ConfigureAwait(false));
                if (frame.Outcome == WebSocketFrameOutcome.Closed)
                {
                    reason = Lost(_closingReason is not null
                        ? _closingReason
                        : $"the server closed the connection ({Describe(_socket.CloseStatus, _socket.CloseStatusDescription)})");
                    await AnswerCloseAsync().ConfigureAwait(false);
                    break;
                }

                switch (frame.Outcome)
                {
                    case WebSocketFrameOutcome.Message:
                        await _inbound.Writer.WriteAsync(frame.Text!, _abort.Token).ConfigureAwait(false);
                        break;
                    case WebSocketFrameOutcome.Binary:
                        await RefuseAsync("the server sent a binary frame; MCP messages are text (closed with 1003)",
                            WebSocketCloseStatus.InvalidMessageType, "binary frames are not accepted").ConfigureAwait(false);
                        break;
                    case WebSocketFrameOutcome.TooBig:
                        await RefuseAsync($"the server sent a message larger than {_config.MaxMessageBytes} bytes (closed with 1009)",
                            WebSocketCloseStatus.MessageTooBig, $"message larger than {_config.MaxMessageBytes} bytes").ConfigureAwait(false);
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            reason = _closingReason is not null ? Lost(_closingReason, ex) : Lost(Explain(ex), ex);
        }

        _closingReason ??= reason.Message;
        _abort.Cancel();
        _socket.Dispose();
        _ended.TrySetResult(reason);
        _inbound.Writer.TryComplete();
    }

    /// <summary>
    /// Closes the socket because of what the server sent: no more sends, a close frame with <paramref name="status"/>,
    /// and the server gets <see cref="McpTransportConfig.CloseTimeout"/> to answer it before the socket is aborted.
    /// </summary>
    private async Task RefuseAsync(string why, WebSocketCloseStatus status, string description)
    {
        _closingReason ??= why;
        using var timeout = new CancellationTokenSource(_config.CloseTimeout);
        await SendCloseAsync(status, description, timeout.Token).ConfigureAwait(false);
        _abort.CancelAfter(_config.CloseTimeout);
    }

    /// <summary>Writes a close frame unless one has been sent; never throws.</summary>
    private async Task SendCloseAsync(WebSocketCloseStatus status, string reason, CancellationToken cancellationToken)
    {
        try
        {
            await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                    await _socket.CloseOutputAsync(status, reason, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _sendLock.Release();
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The socket is ending anyway.
        }
    }

    /// <summary>Echoes the server's close frame, as the close handshake asks.</summary>
    private async Task AnswerCloseAsync()
    {
        using var timeout = new CancellationTokenSource(_config.CloseTimeout);
        await SendCloseAsync(_socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, "", timeout.Token).ConfigureAwait(false);
    }

    private McpConnectionLostException Lost(string why, Exception? inner = null) =>
        new($"The connection to {_config.Url} was lost: {why.TrimEnd('.')}.", inner);

    private McpConnectionLostException NotOpen() =>
        new($"The connection to {_config.Url} is closed: {(_closingReason ?? "it ended").TrimEnd('.')}.");

    /// <summary>
    /// The most telling message in an exception tree: the first WebSocketException's (a keepalive timeout surfaces
    /// as an "Aborted" cancellation whose inner exceptions say that no pong came), else the exception's own.
    /// </summary>
    private static string Explain(Exception ex)
    {
        var queue = new Queue<Exception>([ex]);
        while (queue.TryDequeue(out var e))
        {
            if (e is WebSocketException) return e.Message;
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions) queue.Enqueue(inner);
            }
            else if (e.InnerException is { } inner)
            {
                queue.Enqueue(inner);
            }
        }
        return ex.Message;
    }

    private static string Describe(WebSocketCloseStatus? status, string? description)
    {
        var code = status is { } s ? ((int)s).ToString(System.Globalization.CultureInfo.InvariantCulture) : "no status";
        return string.IsNullOrEmpty(description) ? code : $"{code} {description}";
    }
}
