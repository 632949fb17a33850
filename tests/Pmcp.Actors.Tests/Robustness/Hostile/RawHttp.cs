using System.Net.Sockets;
using System.Text;

namespace Pmcp.Actors.Tests.Robustness.Hostile;

/// <summary>HTTP/1.1 by hand over a TCP socket, for requests no HTTP client would send: broken framing, slow bytes.</summary>
internal static class RawHttp
{
    public static async Task<TcpClient> ConnectAsync(Uri uri)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(uri.Host, uri.Port);
        return tcp;
    }

    /// <summary>The head of a POST to the MCP path with the headers the endpoint wants, up to the blank line.</summary>
    public static string PostHead(Uri uri, string framing) =>
        $"POST {uri.AbsolutePath} HTTP/1.1\r\nHost: {uri.Authority}\r\nAccept: application/json, text/event-stream\r\n" +
        $"Content-Type: application/json\r\n{framing}\r\n\r\n";

    public static Task SendAsync(TcpClient tcp, string text) => tcp.GetStream().WriteAsync(Encoding.ASCII.GetBytes(text)).AsTask();

    /// <summary>What the server sends until it closes the connection (or resets it), within <paramref name="timeout"/>.</summary>
    public static async Task<string> ReadUntilClosedAsync(TcpClient tcp, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var stream = tcp.GetStream(); // taken now: once this side has shut down sending, GetStream refuses
        var received = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var n = await stream.ReadAsync(buffer, cts.Token);
                if (n == 0) break;
                received.Write(buffer, 0, n);
            }
        }
        catch (IOException)
        {
            // Reset by the server: what came before it is the answer.
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The server did not close the connection within {timeout.TotalSeconds:0} s; it sent: {Encoding.UTF8.GetString(received.ToArray())}");
        }
        return Encoding.UTF8.GetString(received.ToArray());
    }

    /// <summary>What the server sends up to the end of its response head (the blank line), within <paramref name="timeout"/>.</summary>
    public static async Task<string> ReadHeadAsync(TcpClient tcp, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var received = new StringBuilder();
        var buffer = new byte[4096];
        while (!received.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var n = await tcp.GetStream().ReadAsync(buffer, cts.Token);
            if (n == 0) break;
            received.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }
        return received.ToString();
    }

    /// <summary>The status code of a raw response ("HTTP/1.1 400 Bad Request ..."), or 0 when nothing came.</summary>
    public static int StatusOf(string response) =>
        response.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) ? int.Parse(response.AsSpan(9, 3), provider: System.Globalization.CultureInfo.InvariantCulture) : 0;

    /// <summary>The body of a raw response (after the blank line), chunked or not, as text.</summary>
    public static string BodyOf(string response)
    {
        var at = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return at < 0 ? "" : response[(at + 4)..];
    }
}
