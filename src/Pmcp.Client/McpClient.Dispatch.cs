using Newtonsoft.Json.Linq;
using Pmcp.Protocol;

namespace Pmcp.Client;

/// <summary>What the server sends: answers to pending requests, notifications, and its own requests (2025 era).</summary>
public sealed partial class McpClient
{
    private void StartReading(IClientConnection connection)
    {
        connection.RequestFailed = FailRequest;
        _ = Task.Run(() => ReadLoopAsync(connection));
    }

    private async Task ReadLoopAsync(IClientConnection connection)
    {
        McpConnectionLostException reason;
        while (true)
        {
            string text;
            try
            {
                text = await connection.ReceiveAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (McpConnectionLostException ex)
            {
                reason = ex;
                break;
            }

            try
            {
                Dispatch(connection, text);
            }
            catch (Exception ex)
            {
                LogDispatchFailed(_logger, ex);
            }
        }

        OnConnectionLost(connection, reason);
    }

    private void Dispatch(IClientConnection connection, string text)
    {
        if (!JsonRpcMessage.TryParse(text, out var message, out var error, out var errorId))
        {
            // Not valid JSON-RPC. If it names a request of ours, that request fails; otherwise it is dropped, not
            // answered: answering a malformed answer with an error could start an endless exchange.
            if (errorId is { } badId && _pending.TryGetValue(badId, out var waiting))
                waiting.TrySetException(new McpException($"The server's answer to '{waiting.Method}' is not valid JSON-RPC: {error!.Message}"));
            LogInvalidMessage(_logger, error!.Message);
            return;
        }

        switch (message!.Kind)
        {
            case JsonRpcMessageKind.Response:
                if (_pending.TryGetValue(message.Id!.Value, out var pending)) pending.TrySetResult(message.Result!);
                else LogUnmatchedResponse(_logger, message.Id.Value.ToString());
                return;

            case JsonRpcMessageKind.ErrorResponse:
                var rpcError = message.Error!;
                if (message.Id is { } errorFor && _pending.TryGetValue(errorFor, out var failed))
                    failed.TrySetException(new McpProtocolException(rpcError.Code, rpcError.Message, rpcError.Data));
                else LogUnmatchedError(_logger, rpcError.Code, rpcError.Message);
                return;

            case JsonRpcMessageKind.Notification:
                OnServerNotification(connection, message.Method!, message.Params);
                return;

            case JsonRpcMessageKind.Request:
                OnServerRequest(connection, message.Id!.Value, message.Method!, message.Params);
                return;
        }
    }

    private void OnServerNotification(IClientConnection connection, string method, JObject? parameters)
    {
        switch (method)
        {
            case McpMethods.Progress:
                if (RequestId.TryFrom(parameters?["progressToken"], out var token) && _progress.TryGetValue(token, out var progress))
                {
                    try
                    {
                        progress.Report(Parse<ProgressParams>(parameters!, method));
                    }
                    catch (Exception ex)
                    {
                        LogHandlerFailed(_logger, method, ex);
                    }
                }
                break;

            case McpMethods.Cancelled:
                if (RequestId.TryFrom(parameters?["requestId"], out var cancelledId)
                    && _serverRequests.TryGetValue((connection.Generation, cancelledId), out var handlerCancellation))
                {
                    try
                    {
                        handlerCancellation.Cancel();
                    }
                    catch (ObjectDisposedException)
                    {
                        // It finished meanwhile.
                    }
                }
                break;

            case ModernProtocol.SubscriptionsAcknowledged:
                OnListenAcknowledged(parameters);
                break;
        }

        Action<JObject?>[]? handlers;
        lock (_notificationHandlers)
        {
            handlers = _notificationHandlers.GetValueOrDefault(method);
        }
        foreach (var handler in handlers ?? [])
        {
            try
            {
                handler(parameters);
            }
            catch (Exception ex)
            {
                LogHandlerFailed(_logger, method, ex);
            }
        }
    }

    private void OnServerRequest(IClientConnection connection, RequestId id, string method, JObject? parameters)
    {
        if (method == McpMethods.Ping)
        {
            Forget(connection.SendAsync(new OutboundMessage(JsonRpcWriter.ResultRaw(id, "{}")), CancellationToken.None));
            return;
        }

        if (!_requestHandlers.TryGetValue(method, out var handler))
        {
            Forget(connection.SendAsync(new OutboundMessage(JsonRpcWriter.Error(id, JsonRpcErrorCodes.MethodNotFound,
                $"Method not found: {method} (the client has no handler for it)")), CancellationToken.None));
            return;
        }

        var cancellation = CancellationTokenSource.CreateLinkedTokenSource(_closing.Token);
        if (!_serverRequests.TryAdd((connection.Generation, id), cancellation))
        {
            cancellation.Dispose();
            Forget(connection.SendAsync(new OutboundMessage(JsonRpcWriter.Error(id, JsonRpcErrorCodes.InvalidRequest,
                $"Request id {id} is already in use by a request in flight.")), CancellationToken.None));
            return;
        }

        _ = Task.Run(() => AnswerServerRequestAsync(connection, id, method, parameters, handler, cancellation));
    }

    private async Task AnswerServerRequestAsync(IClientConnection connection, RequestId id, string method, JObject? parameters,
        McpRequestHandler handler, CancellationTokenSource cancellation)
    {
        string answer;
        try
        {
            var result = await handler(parameters, cancellation.Token).ConfigureAwait(false);
            answer = JsonRpcWriter.Result(id, result ?? new JObject());
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            return; // cancelled by the server or the connection is gone: no answer, as the spec asks
        }
        catch (McpProtocolException ex)
        {
            answer = JsonRpcWriter.Error(id, new JsonRpcError(ex.Code, ex.Message, ex.ErrorData));
        }
        catch (Exception ex)
        {
            LogHandlerFailed(_logger, method, ex);
            answer = JsonRpcWriter.Error(id, JsonRpcErrorCodes.InternalError, $"The client's {method} handler failed: {ex.Message}");
        }
        finally
        {
            _serverRequests.TryRemove((connection.Generation, id), out _);
            cancellation.Dispose();
        }

        try
        {
            await connection.SendAsync(new OutboundMessage(answer), CancellationToken.None).ConfigureAwait(false);
        }
        catch (McpException)
        {
            // The connection it came on is gone (or refused the answer); so is the server's interest in it.
        }
    }
}
