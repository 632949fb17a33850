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
    public static async Task<HttpStatusCode> TryUpgradeAsync(Uri uri, TimeSpan? timeout = null)
    {
        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("mcp");
        socket.Options.CollectHttpResponseDetails = true;
        using var cts = new CancellationTokenSource(timeout ?? Deadline.Default);
        try
        {
            await socket.ConnectAsync(uri, cts.Token).ConfigureAwait(false);
            socket.Abort();
            return socket.HttpStatusCode;
        }
        catch (WebSocketException) when (socket.HttpStatusCode != 0)
        {
            return socket.HttpStatusCode;
        }
    }
}
