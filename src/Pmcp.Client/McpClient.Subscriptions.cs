using System.Collections.Concurrent;
using Newtonsoft.Json.Linq;
using Pmcp.Protocol;

namespace Pmcp.Client;

/// <summary>
/// Subscriptions in either era: <c>subscriptions/listen</c> (2026-07-28, a long-lived request whose stream carries
/// the notifications) or <c>resources/subscribe</c> per URI plus the list-changed notifications a 2025-era server sends anyway.
/// </summary>
public sealed partial class McpClient
{
    private readonly ConcurrentDictionary<RequestId, TaskCompletionSource<JObject?>> _listens = new();

    /// <summary>
    /// Subscribes to what <paramref name="filter"/> names. 2026 era: one <c>subscriptions/listen</c> whose
    /// acknowledgement says what the server agreed to. 2025 era: <c>resources/subscribe</c> for each URI (the server
    /// must offer <c>resources.subscribe</c>); list changes are agreed to when the server's capabilities say it sends
    /// them. Returns once the server has agreed; the notifications reach the client's handlers.
    /// </summary>
    /// <exception cref="McpException">A 2025-era server that offers no resource subscriptions was asked for some.</exception>
    public Task<McpSubscription> SubscribeAsync(McpSubscriptionFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return _modern ? ListenAsync(filter, cancellationToken) : SubscribeLegacyAsync(filter, cancellationToken);
    }

    private async Task<McpSubscription> SubscribeLegacyAsync(McpSubscriptionFilter filter, CancellationToken cancellationToken)
    {
        var capabilities = ServerCapabilities;
        if (filter.ResourceUris.Count > 0 && capabilities?.Resources?.Subscribe != true)
            throw new McpException($"The server at {_config.Url} offers no resource subscriptions (capability resources.subscribe).");

        var subscribed = new List<string>();
        foreach (var uri in filter.ResourceUris)
        {
            await RequestAsync(McpMethods.ResourcesSubscribe, _ => new JObject { ["uri"] = uri }, cancellationToken, name: uri).ConfigureAwait(false);
            subscribed.Add(uri);
        }

        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        EventHandler<McpDisconnectedEventArgs> onDrop = (_, e) => ended.TrySetException(e.Reason);
        Disconnected += onDrop;
        var acknowledged = new McpSubscriptionFilter
        {
            ToolsListChanged = filter.ToolsListChanged && capabilities?.Tools?.ListChanged == true,
            PromptsListChanged = filter.PromptsListChanged && capabilities?.Prompts?.ListChanged == true,
            ResourcesListChanged = filter.ResourcesListChanged && capabilities?.Resources?.ListChanged == true,
            ResourceUris = subscribed,
        };
        return new McpSubscription(acknowledged, ended.Task, async () =>
        {
            Disconnected -= onDrop;
            foreach (var uri in subscribed)
            {
                if (State != McpClientState.Ready) break;
                try
                {
                    await RequestAsync(McpMethods.ResourcesUnsubscribe, _ => new JObject { ["uri"] = uri }, CancellationToken.None, name: uri).ConfigureAwait(false);
                }
                catch (McpException)
                {
                    // Gone with the connection, or refused: either way the server sends no more for it.
                }
            }
            ended.TrySetResult();
        });
    }

    private async Task<McpSubscription> ListenAsync(McpSubscriptionFilter filter, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_config.RequestTimeout, _config.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        await WaitUntilReadyAsync(linked.Token).ConfigureAwait(false);
        var connection = _transport.CurrentConnection ?? throw ClosedException();

        var id = new RequestId(Interlocked.Increment(ref _nextId));
        var pending = new PendingRequest(ModernProtocol.SubscriptionsListen, connection.Generation);
        var acknowledgement = new TaskCompletionSource<JObject?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = pending;
        _listens[id] = acknowledgement;
        var notifications = new JObject();
        if (filter.ToolsListChanged) notifications["toolsListChanged"] = true;
        if (filter.PromptsListChanged) notifications["promptsListChanged"] = true;
        if (filter.ResourcesListChanged) notifications["resourcesListChanged"] = true;
        if (filter.ResourceUris.Count > 0) notifications["resourceSubscriptions"] = new JArray(filter.ResourceUris);

        void Forget()
        {
            _pending.TryRemove(id, out _);
            _listens.TryRemove(id, out _);
        }

        JObject? agreed;
        try
        {
            var json = JsonRpcWriter.Request(id, ModernProtocol.SubscriptionsListen, WithRequestMeta(new JObject { ["notifications"] = notifications }));
            await connection.SendAsync(new OutboundMessage(json, id, ModernProtocol.SubscriptionsListen), linked.Token).ConfigureAwait(false);
            await Task.WhenAny(acknowledgement.Task, pending.Task).WaitAsync(linked.Token).ConfigureAwait(false);
            // Both may be done by now (a server with nothing to send acknowledges, then ends the stream): the
            // acknowledgement, which came first on the stream, wins.
            if (!acknowledgement.Task.IsCompleted)
            {
                await pending.Task.ConfigureAwait(false); // a refusal throws here
                throw new McpException("The server ended the subscription before acknowledging it.");
            }
            agreed = await acknowledgement.Task.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Forget();
            await TellCancelledAsync(connection, id, "subscribing failed").ConfigureAwait(false);
            if (ex is OperationCanceledException && timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new McpTimeoutException(ModernProtocol.SubscriptionsListen, _config.RequestTimeout,
                    $"'{ModernProtocol.SubscriptionsListen}' got no acknowledgement within {WebSocketTransport.Format(_config.RequestTimeout)}.");
            }
            throw;
        }

        _listens.TryRemove(id, out _);
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = pending.Task.ContinueWith(t =>
        {
            _pending.TryRemove(id, out _);
            if (t.IsFaulted) ended.TrySetException(t.Exception!.InnerExceptions);
            else ended.TrySetResult();
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        var acknowledged = new McpSubscriptionFilter
        {
            ToolsListChanged = agreed?["toolsListChanged"]?.Type == JTokenType.Boolean && (bool)agreed["toolsListChanged"]!,
            PromptsListChanged = agreed?["promptsListChanged"]?.Type == JTokenType.Boolean && (bool)agreed["promptsListChanged"]!,
            ResourcesListChanged = agreed?["resourcesListChanged"]?.Type == JTokenType.Boolean && (bool)agreed["resourcesListChanged"]!,
            ResourceUris = (agreed?["resourceSubscriptions"] as JArray)?.Select(u => (string?)u).OfType<string>().ToList() ?? [],
        };
        return new McpSubscription(acknowledged, ended.Task, async () =>
        {
            if (_pending.TryRemove(id, out _)) await TellCancelledAsync(connection, id, "unsubscribed").ConfigureAwait(false);
            ended.TrySetResult();
        });
    }

    /// <summary><c>notifications/subscriptions/acknowledged</c>: its <c>_meta</c> names the listen request it answers.</summary>
    private void OnListenAcknowledged(JObject? parameters)
    {
        if (RequestId.TryFrom(parameters?["_meta"]?[ModernProtocol.SubscriptionIdKey], out var id) && _listens.TryGetValue(id, out var acknowledgement))
            acknowledgement.TrySetResult(parameters?["notifications"] as JObject);
    }
}
