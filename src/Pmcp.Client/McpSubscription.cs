namespace Pmcp.Client;

/// <summary>What a subscription asks for: list changes, and updates of resources by URI.</summary>
public sealed record McpSubscriptionFilter
{
    public bool ToolsListChanged { get; init; }

    public bool PromptsListChanged { get; init; }

    public bool ResourcesListChanged { get; init; }

    /// <summary>The resources whose <c>notifications/resources/updated</c> are wanted.</summary>
    public IReadOnlyList<string> ResourceUris { get; init; } = [];
}

/// <summary>
/// A live subscription (<see cref="McpClient.SubscribeAsync"/>). Its notifications reach the client's handlers
/// (<see cref="McpClient.OnResourceUpdated"/>, <see cref="McpClient.OnToolListChanged"/>, …). Dispose it to stop.
/// </summary>
public sealed class McpSubscription : IAsyncDisposable
{
    private readonly Func<ValueTask> _dispose;
    private int _disposed;

    internal McpSubscription(McpSubscriptionFilter acknowledged, Task ended, Func<ValueTask> dispose)
    {
        Acknowledged = acknowledged;
        Ended = ended;
        _dispose = dispose;
    }

    /// <summary>What the server agreed to send: the requested filter less what it does not offer.</summary>
    public McpSubscriptionFilter Acknowledged { get; }

    /// <summary>
    /// Completes when the subscription ends: disposed, or ended by the server (2026 era: it answered the listen
    /// request). Faults with <see cref="McpConnectionLostException"/> when the connection dropped; subscribe again
    /// once the client has reconnected (a new session or connection holds no subscriptions).
    /// </summary>
    public Task Ended { get; }

    public ValueTask DisposeAsync() => Interlocked.Exchange(ref _disposed, 1) == 0 ? _dispose() : ValueTask.CompletedTask;
}
