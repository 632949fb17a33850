using System.Net;
using System.Net.WebSockets;

namespace Pmcp.Actors.Tests.Support;

/// <summary>Tries one WebSocket upgrade and reports the HTTP status the server answered with.</summary>
internal static class UpgradeProbe
{
    /// <summary>
    /// 101 (SwitchingProtocols) when the upgrade was accepted (the socket is then aborted at once); otherwise the
    /// refusal's status, such as 503.
    /// </summary>
    public static async Task<HttpStatusCode> TryUpgradeAsync(Uri uri, TimeSpan? timeout = null, Action<ClientWebSocketOptions>? configure = null) =>
        (await TryUpgradeWithHeadersAsync(uri, timeout, configure).ConfigureAwait(false)).Status;

    /// <summary>Like <see cref="TryUpgradeAsync"/>, with the response's headers (null when the server sent none).</summary>
    public static async Task<(HttpStatusCode Status, IReadOnlyDictionary<string, IEnumerable<string>>? Headers)> TryUpgradeWithHeadersAsync(
        Uri uri, TimeSpan? timeout = null, Action<ClientWebSocketOptions>? configure = null)
    {
        using var socket = new ClientWebSocket();
        configure?.Invoke(socket.Options);
        socket.Options.AddSubProtocol("mcp");
        socket.Options.CollectHttpResponseDetails = true;
        using var cts = new CancellationTokenSource(timeout ?? Deadline.Default);
        try
        {
            await socket.ConnectAsync(uri, cts.Token).ConfigureAwait(false);
            socket.Abort();
            return (socket.HttpStatusCode, socket.HttpResponseHeaders);
        }
        catch (WebSocketException) when (socket.HttpStatusCode != 0)
        {
            return (socket.HttpStatusCode, socket.HttpResponseHeaders);
        }
    }
}
