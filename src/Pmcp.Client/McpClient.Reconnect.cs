namespace Pmcp.Client;

/// <summary>A dropped connection: failing what was in flight, reconnecting with backoff, giving up.</summary>
public sealed partial class McpClient
{
    private void OnConnectionLost(IClientConnection connection, McpConnectionLostException reason)
    {
        var disconnected = false;
        var reconnect = false;
        lock (_gate)
        {
            if (_state == McpClientState.Ready && _transport.CurrentConnection == connection)
            {
                disconnected = true;
                if (_config.AutoReconnect)
                {
                    reconnect = true;
                    SetState(McpClientState.Reconnecting);
                }
                else
                {
                    _closedReason = new McpConnectionLostException($"{reason.Message} AutoReconnect is off, so the client is closed.", reason);
                    SetState(McpClientState.Closed);
                }
            }
        }

        FailPending(connection.Generation, reason);
        foreach (var (key, cancellation) in _serverRequests)
        {
            if (key.Generation != connection.Generation) continue;
            try
            {
                cancellation.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // It finished meanwhile.
            }
        }

        if (!disconnected) return;
        LogDisconnected(_logger, _config.Url, reason.Message, reconnect);
        Raise(Disconnected, new McpDisconnectedEventArgs(reason, reconnect), nameof(Disconnected));
        if (reconnect)
        {
            lock (_gate)
            {
                _reconnectLoop = Task.Run(() => ReconnectLoopAsync(reason));
            }
        }
    }

    private async Task ReconnectLoopAsync(McpConnectionLostException cause)
    {
        var clock = _config.TimeProvider;
        var failures = 0;
        Exception lastError = cause;
        while (true)
        {
            if (_backoff.Exhausted(failures))
            {
                GiveUp(failures, lastError);
                return;
            }

            var attempt = failures + 1;
            var delay = _backoff.DelayBefore(attempt);
            // The wait starts before the event is raised, so a handler that advances a fake clock cannot miss it.
            var wait = Task.Delay(delay, clock, _closing.Token);
            LogReconnecting(_logger, attempt, delay.TotalMilliseconds);
            Raise(Reconnecting, new McpReconnectingEventArgs(attempt, delay, lastError), nameof(Reconnecting));
            try
            {
                await wait.ConfigureAwait(false);
                var connection = await _transport.OpenConnectionAsync(_closing.Token).ConfigureAwait(false);
                StartReading(connection);
                var result = await HandshakeAgainAsync(connection, _closing.Token).ConfigureAwait(false);
                lock (_gate)
                {
                    if (_state != McpClientState.Reconnecting) return; // closed meanwhile
                    SetState(McpClientState.Ready);
                }
                LogReconnected(_logger, _config.Url, attempt);
                Raise(Reconnected, new McpReconnectedEventArgs(attempt, result), nameof(Reconnected));
                KeepOwnListenSoon(); // the new connection holds no listen
                return;
            }
            catch (Exception ex) when (_closing.IsCancellationRequested && ex is OperationCanceledException or ObjectDisposedException or McpException)
            {
                return;
            }
            catch (Exception ex)
            {
                failures++;
                lastError = ex;
                LogAttemptFailed(_logger, attempt, ex.Message);
                if (_transport.CurrentConnection is { IsOpen: true } half) half.Abort("reconnect attempt failed");
                if (ex is McpConnectException { IsRetryable: false })
                {
                    GiveUp(failures, ex);
                    return;
                }
            }
        }
    }

    private void GiveUp(int failures, Exception lastError)
    {
        lock (_gate)
        {
            if (_state != McpClientState.Reconnecting) return;
            _closedReason = new McpConnectionLostException(
                $"Gave up reconnecting to {_config.Url} after {failures} failed attempt(s); the client is closed. Last error: {lastError.Message}", lastError);
            SetState(McpClientState.Closed);
        }
        LogGaveUp(_logger, _config.Url, failures, lastError.Message);
        Raise(GaveUp, new McpGaveUpEventArgs(failures, lastError), nameof(GaveUp));
    }
}
