using Pmcp.Protocol;

namespace Pmcp.Client;

/// <summary>
/// Hearing of list changes in the 2026-07-28 era. A 2025-era server sends its list-changed notifications to every
/// session; a 2026 server sends them only on a <c>subscriptions/listen</c> the client opened. So a modern client whose
/// application registered list-changed handlers (<see cref="OnToolListChanged"/>, <see cref="OnPromptListChanged"/>,
/// <see cref="OnResourceListChanged"/>, or <see cref="OnNotification"/> with one of those methods) opens one listen of
/// its own for them, for the lists the server announces <c>listChanged</c> on; it opens it again with a new filter when
/// handlers come or go, and again after a reconnect.
/// </summary>
public sealed partial class McpClient
{
    private static readonly string[] ListChangedMethods = [McpMethods.ToolsListChanged, McpMethods.PromptsListChanged, McpMethods.ResourcesListChanged];

    private readonly SemaphoreSlim _ownListenGate = new(1, 1);
    private McpSubscription? _ownListen;
    private McpSubscriptionFilter? _ownListenFilter;

    private static bool IsListChanged(string method) => ListChangedMethods.Contains(method, StringComparer.Ordinal);

    /// <summary>
    /// Makes the client's own listen carry what its handlers want now: opens one (and ends the one it replaces) when the
    /// wish changed or the last one ended, ends it when nothing is wanted. Nothing in the 2025 era.
    /// </summary>
    private async Task KeepOwnListenAsync(CancellationToken cancellationToken)
    {
        if (!_modern) return;
        await _ownListenGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var wanted = WantedListChanges();
            var current = _ownListen;
            if (current is not null && !current.Ended.IsCompleted && SameLists(wanted, _ownListenFilter)) return;

            McpSubscription? next = null;
            if (wanted is not null && State == McpClientState.Ready) next = await ListenAsync(wanted, cancellationToken).ConfigureAwait(false);
            _ownListen = next;
            _ownListenFilter = next is null ? null : wanted;
            if (current is not null) await current.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _ownListenGate.Release();
        }
    }

    /// <summary>
    /// At the end of <see cref="InitializeAsync"/>: the listen for the handlers registered before it, acknowledged before
    /// the client is handed over, so no change made after that goes unheard. A refusal is logged, not thrown: the
    /// client works without it.
    /// </summary>
    private async Task OpenOwnListenAsync(CancellationToken cancellationToken)
    {
        try
        {
            await KeepOwnListenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (McpException ex)
        {
            LogOwnListenFailed(_logger, _config.Url, ex.Message);
        }
    }

    /// <summary>Starts <see cref="KeepOwnListenAsync"/> without waiting; a failure is logged (the handlers then stay silent).</summary>
    private void KeepOwnListenSoon()
    {
        if (_modern && State == McpClientState.Ready) Forget(OpenOwnListenAsync(_closing.Token));
    }

    private static bool SameLists(McpSubscriptionFilter? a, McpSubscriptionFilter? b) =>
        a?.ToolsListChanged == b?.ToolsListChanged && a?.PromptsListChanged == b?.PromptsListChanged && a?.ResourcesListChanged == b?.ResourcesListChanged;

    /// <summary>The list changes some handler wants and the server says it sends; null when none.</summary>
    private McpSubscriptionFilter? WantedListChanges()
    {
        bool Wanted(string method)
        {
            lock (_notificationHandlers) return _notificationHandlers.GetValueOrDefault(method) is { Length: > 0 };
        }

        var capabilities = ServerCapabilities;
        var filter = new McpSubscriptionFilter
        {
            ToolsListChanged = capabilities?.Tools?.ListChanged == true && Wanted(McpMethods.ToolsListChanged),
            PromptsListChanged = capabilities?.Prompts?.ListChanged == true && Wanted(McpMethods.PromptsListChanged),
            ResourcesListChanged = capabilities?.Resources?.ListChanged == true && Wanted(McpMethods.ResourcesListChanged),
        };
        return filter.ToolsListChanged || filter.PromptsListChanged || filter.ResourcesListChanged ? filter : null;
    }
}
