using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Pmcp.Actors.Tests.Support;
using Pmcp.Protocol;

namespace Pmcp.Actors.Tests.Robustness.Hostile;

/// <summary>
/// The server the never-read Streamable HTTP probes attack (both eras): a <c>blob</c> tool whose answer is
/// <see cref="BlobChars"/> characters, 512 KB as a .NET string, and accepted sockets with 16 KB send buffers, as on a
/// congested route: on loopback the kernel would otherwise take up to 4 MB of each answer off the server's hands.
/// </summary>
internal static class LargeAnswerServer
{
    public const int BlobChars = 256 * 1024;

    /// <summary>What one answer counts in the outbound budgets (two bytes a character, as the budgets count strings).</summary>
    public const long AnswerBytes = 2L * BlobChars;

    public static Task<TestServer> StartAsync(Action<McpServerOptions> configure) =>
        TestServer.StartAsync(mcp => mcp.Tool("blob", (_, _) => Task.FromResult(CallToolResult.Text(new string('x', BlobChars)))),
            configure,
            configureHost: host => host.WebHost.UseSockets(sockets => sockets.CreateBoundListenSocket = endpoint =>
            {
                // Accepted sockets take their send buffer from the listening socket's.
                var socket = SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
                socket.SendBufferSize = 16 * 1024;
                return socket;
            }));
}
