using System.Net;
using System.Net.Sockets;

namespace Pmcp.Actors.Tests.Support;

/// <summary>
/// HTTP and WebSocket clients that connect from a chosen loopback address (127.0.0.2, ...), so that a test can be two
/// clients to the server's per-client limits while both stay on loopback (Linux routes all of 127.0.0.0/8 there).
/// </summary>
internal static class LoopbackSource
{
    /// <summary>The canary's address in probes where the attacker is 127.0.0.1.</summary>
    public static readonly IPAddress Other = IPAddress.Parse("127.0.0.2");

    /// <summary>A handler whose connections leave from <paramref name="local"/>.</summary>
    public static SocketsHttpHandler Handler(IPAddress local) => new()
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(local.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(local, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}
