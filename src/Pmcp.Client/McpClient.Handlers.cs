using Newtonsoft.Json.Linq;
using Pmcp.Protocol;

namespace Pmcp.Client;

/// <summary>What the application answers (sampling, elicitation, roots) and what it listens to (notifications).</summary>
public sealed partial class McpClient
{
    /// <summary>
    /// Sets the handler for what the server asks with <paramref name="method"/> (e.g.
    /// <see cref="McpMethods.SamplingCreateMessage"/>, <see cref="McpMethods.ElicitationCreate"/>,
    /// <see cref="McpMethods.RootsList"/>): its requests in the 2025 era, the matching <c>inputRequests</c> of an
    /// <c>input_required</c> result in the 2026 era. Null removes it, and such requests are answered -32601 again.
    /// Register before <see cref="InitializeAsync"/> so that the matching capability is declared.
    /// </summary>
    public void SetRequestHandler(string method, McpRequestHandler? handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        if (handler is null) _requestHandlers.TryRemove(method, out _);
        else _requestHandlers[method] = handler;
    }

    /// <summary>
    /// Answers <c>sampling/createMessage</c>: the server asks the application's model for a completion. Declares the
    /// <c>sampling</c> capability when set before <see cref="InitializeAsync"/>. Params that do not parse are answered -32602.
    /// </summary>
    public void SetSamplingHandler(Func<CreateMessageParams, CancellationToken, Task<CreateMessageResult>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        SetRequestHandler(McpMethods.SamplingCreateMessage, async (p, ct) =>
            McpJson.ToToken(await handler(ParseParams<CreateMessageParams>(p, McpMethods.SamplingCreateMessage), ct).ConfigureAwait(false)));
    }

    /// <summary>
    /// Answers <c>elicitation/create</c>: the server asks the user for input. Declares the <c>elicitation</c>
    /// capability (form mode) when set before <see cref="InitializeAsync"/>; for URL mode, declare
    /// <c>elicitation: { form: {}, url: {} }</c> in the capabilities yourself.
    /// </summary>
    public void SetElicitationHandler(Func<ElicitParams, CancellationToken, Task<ElicitResult>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        SetRequestHandler(McpMethods.ElicitationCreate, async (p, ct) =>
            McpJson.ToToken(await handler(ParseParams<ElicitParams>(p, McpMethods.ElicitationCreate), ct).ConfigureAwait(false)));
    }

    /// <summary>Answers <c>roots/list</c> with the application's roots. Declares the <c>roots</c> capability when set before <see cref="InitializeAsync"/>.</summary>
    public void SetRootsHandler(Func<CancellationToken, Task<IReadOnlyList<Root>>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        SetRequestHandler(McpMethods.RootsList, async (_, ct) =>
            McpJson.ToToken(new ListRootsResult(await handler(ct).ConfigureAwait(false))));
    }

    /// <summary>
    /// Calls <paramref name="handler"/> with the params of every notification named <paramref name="method"/>; dispose the
    /// result to stop. For a list-changed method with a 2026-07-28 server, the client opens (or widens) a
    /// <c>subscriptions/listen</c> of its own, as that era sends list changes only to listeners; a handler registered
    /// before <see cref="InitializeAsync"/> is heard from the moment it returns. A notification that also comes on a
    /// listen of the application's (<see cref="SubscribeAsync"/>) reaches the handler once per listen.
    /// </summary>
    public IDisposable OnNotification(string method, Action<JObject?> handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentNullException.ThrowIfNull(handler);
        lock (_notificationHandlers)
        {
            _notificationHandlers[method] = [.. _notificationHandlers.GetValueOrDefault(method) ?? [], handler];
        }
        if (IsListChanged(method)) KeepOwnListenSoon();
        return new Subscription(() =>
        {
            lock (_notificationHandlers)
            {
                if (_notificationHandlers.TryGetValue(method, out var handlers))
                    _notificationHandlers[method] = handlers.Where(h => h != handler).ToArray();
            }
            if (IsListChanged(method)) KeepOwnListenSoon();
        });
    }

    /// <summary>Log entries the server sends (<c>notifications/message</c>).</summary>
    public IDisposable OnLogMessage(Action<LoggingMessageParams> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return OnNotification(McpMethods.Message, p => handler(Parse<LoggingMessageParams>(p ?? new JObject(), McpMethods.Message)));
    }

    /// <summary><c>notifications/tools/list_changed</c>: the server's tools changed; list them again.</summary>
    public IDisposable OnToolListChanged(Action handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return OnNotification(McpMethods.ToolsListChanged, _ => handler());
    }

    /// <summary><c>notifications/prompts/list_changed</c>: the server's prompts changed.</summary>
    public IDisposable OnPromptListChanged(Action handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return OnNotification(McpMethods.PromptsListChanged, _ => handler());
    }

    /// <summary><c>notifications/resources/list_changed</c>: the server's resources changed.</summary>
    public IDisposable OnResourceListChanged(Action handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return OnNotification(McpMethods.ResourcesListChanged, _ => handler());
    }

    /// <summary><c>notifications/resources/updated</c> with the resource's URI: a resource subscribed to (<see cref="SubscribeAsync"/>) changed; read it again.</summary>
    public IDisposable OnResourceUpdated(Action<string> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return OnNotification(McpMethods.ResourcesUpdated, p =>
        {
            if ((string?)p?["uri"] is { } uri) handler(uri);
        });
    }
}
