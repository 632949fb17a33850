using System.Net;
using System.Net.Sockets;

namespace Pmcp.Client.Tests.Support;

internal static class Ports
{
    /// <summary>A loopback port nothing listens on right now (connects to it are refused at once).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
