using Newtonsoft.Json.Linq;
using Pmcp.Protocol;

namespace Pmcp.Client;

/// <summary>Sending requests and notifications: the pending table, timeouts, cancellation, waiting for a reconnect.</summary>
public sealed partial class McpClient
{
    /// <summary>Any request, for methods this class does not wrap; returns the raw result (2026 era: with the request <c>_meta</c> added).</summary>
    public Task<JToken> SendRequestAsync(string method, JObject? parameters = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        return RequestAsync(method, _ => parameters, cancellationToken);
    }

    /// <summary>Sends a notification (waiting for a reconnect like a request does).</summary>
    public async Task SendNotificationAsync(string method, JObject? parameters = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        using var timeout = new CancellationTokenSource(_config.RequestTimeout, _config.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await WaitUntilReadyAsync(linked.Token).ConfigureAwait(false);
            var connection = _transport.CurrentConnection ?? throw ClosedException();
            await connection.SendAsync(new OutboundMessage(JsonRpcWriter.Notification(method, parameters), Method: method), linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new McpTimeoutException(method, _config.RequestTimeout,
                $"'{method}' could not be sent within {WebSocketTransport.Format(_config.RequestTimeout)}.");
        }
    }

    /// <summary>
    /// Sends a request and awaits its answer. Without <paramref name="connection"/> it first waits until the client
    /// is ready (the caller's requests); with one it goes straight out on it (the handshake, also during a reconnect).
    /// <paramref name="name"/> is the tool or prompt name or resource URI (HTTP mirrors it in <c>Mcp-Name</c>);
    /// <paramref name="headers"/> are a tool call's <c>Mcp-Param-*</c> headers.
    /// </summary>
    private async Task<JToken> RequestAsync(string method, Func<RequestId, object?> buildParams, CancellationToken cancellationToken,
        IProgress<ProgressParams>? progress = null, string? name = null, IClientConnection? connection = null,
        IReadOnlyList<KeyValuePair<string, string>>? headers = null)
    {
        using var timeout = new CancellationTokenSource(_config.RequestTimeout, _config.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var sent = false;
        RequestId id = default;
        try
        {
            if (connection is null)
            {
                await WaitUntilReadyAsync(linked.Token).ConfigureAwait(false);
                connection = _transport.CurrentConnection ?? throw ClosedException();
            }

            id = new RequestId(Interlocked.Increment(ref _nextId));
            var pending = new PendingRequest(method, connection.Generation);
            _pending[id] = pending;
            if (progress is not null) _progress[id] = progress;
            try
            {
                var json = JsonRpcWriter.Request(id, method, WithRequestMeta(buildParams(id)));
                await connection.SendAsync(new OutboundMessage(json, id, method, name, headers), linked.Token).ConfigureAwait(false);
                sent = true;
                return await pending.Task.WaitAsync(linked.Token).ConfigureAwait(false);
            }
            finally
            {
                _pending.TryRemove(id, out _);
                if (progress is not null) _progress.TryRemove(id, out _);
            }
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            var timedOut = timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested;
            if (sent && method != McpMethods.Initialize)
            {
                // The spec: a sender that stops waiting SHOULD tell the receiver (on 2026-era HTTP, closing the
                // request's stream does); initialize must not be cancelled.
                var reason = timedOut ? $"timed out after {WebSocketTransport.Format(_config.RequestTimeout)}" : "cancelled by the caller";
                await TellCancelledAsync(connection!, id, reason).ConfigureAwait(false);
            }

            if (!timedOut) throw new OperationCanceledException($"'{method}' was cancelled.", null, cancellationToken);
            // Without a connection the request was still waiting for the client to be ready: nothing was sent.
            var during = connection is null ? " (waiting for the client to reconnect)" : "";
            throw new McpTimeoutException(method, _config.RequestTimeout,
                $"'{method}' got no answer within {WebSocketTransport.Format(_config.RequestTimeout)}{during}.");
        }
    }

    /// <summary>
    /// Tells the server the client no longer waits for request <paramref name="id"/>, and waits (up to CloseTimeout)
    /// until the notice is sent, so that a client closed right after a cancel (a CLI on Ctrl-C) still cancels on the server.
    /// </summary>
    private async Task TellCancelledAsync(IClientConnection connection, RequestId id, string reason)
    {
        if (connection.Abandon(id) || !connection.IsOpen) return;
        var notice = JsonRpcWriter.Notification(McpMethods.Cancelled, new CancelledParams(id) { Reason = reason });
        try
        {
            await connection.SendAsync(new OutboundMessage(notice, Method: McpMethods.Cancelled), CancellationToken.None)
                .WaitAsync(_config.CloseTimeout, _config.TimeProvider).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is McpException or TimeoutException)
        {
            LogSendFailed(_logger, $"notifications/cancelled for request {id}: {ex.Message}");
        }
    }

    /// <summary>Returns when the client is ready, waiting for a reconnect if need be; throws when it never will be.</summary>
    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                switch (_state)
                {
                    case McpClientState.Ready:
                        return;
                    case McpClientState.Created:
                    case McpClientState.Initializing:
                        throw new InvalidOperationException("Call InitializeAsync, and await it, before sending requests.");
                    case McpClientState.Closed:
                        throw ClosedException();
                    default:
                        changed = _stateChanged.Task;
                        break;
                }
            }
            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private McpConnectionLostException ClosedException()
    {
        var reason = _closedReason;
        return reason is null
            ? new McpConnectionLostException("The client is closed.")
            : new McpConnectionLostException(reason.Message, reason);
    }

    /// <summary>The transport could not deliver a request or its answer: that request fails with <paramref name="failure"/>.</summary>
    private void FailRequest(RequestId id, Exception failure)
    {
        if (_pending.TryGetValue(id, out var pending)) pending.TrySetException(failure);
    }

    private void FailPending(int upToGeneration, McpConnectionLostException reason)
    {
        foreach (var (_, pending) in _pending)
        {
            if (pending.Generation > upToGeneration) continue;
            pending.TrySetException(new McpConnectionLostException(
                $"{reason.Message.TrimEnd('.')}. The '{pending.Method}' request got no answer; the server may or may not have carried it out.", reason));
        }
    }
}
