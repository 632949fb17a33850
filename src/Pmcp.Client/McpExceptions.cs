using System.Net;
using Newtonsoft.Json.Linq;

namespace Pmcp.Client;

/// <summary>The base of every failure the MCP client reports. Caller cancellation is an <see cref="OperationCanceledException"/> instead.</summary>
public class McpException : Exception
{
    public McpException(string message)
        : base(message)
    {
    }

    public McpException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// A request took longer than <see cref="McpTransportConfig.RequestTimeout"/> (time spent waiting for a reconnect
/// included). The server has been sent <c>notifications/cancelled</c> for it, when it had been sent at all.
/// </summary>
public sealed class McpTimeoutException(string method, TimeSpan timeout, string message)
    : McpException(message)
{
    /// <summary>The method of the request that timed out.</summary>
    public string Method { get; } = method;

    /// <summary>The limit that passed.</summary>
    public TimeSpan Timeout { get; } = timeout;
}

/// <summary>
/// The server answered a request with a JSON-RPC error. <see cref="Exception.Message"/> is the server's message;
/// <see cref="Code"/> and <see cref="ErrorData"/> are the error's other members. A request handler of the application may
/// throw it too, to answer the server's request with that error.
/// </summary>
public sealed class McpProtocolException(int code, string message, JToken? data = null)
    : McpException(message)
{
    /// <summary>The JSON-RPC error code, e.g. -32602 for invalid params or an unknown tool.</summary>
    public int Code { get; } = code;

    /// <summary>The error's <c>data</c> member, when the server sent one.</summary>
    public JToken? ErrorData { get; } = data;
}

/// <summary>
/// The server could not be reached or refused the client: a WebSocket that could not be opened (no server, upgrade
/// refused, no answer in time), or an HTTP request answered with an error status and no JSON-RPC error.
/// </summary>
public sealed class McpConnectException(Uri url, string message, Exception? innerException, HttpStatusCode? statusCode = null)
    : McpException(message, innerException)
{
    public Uri Url { get; } = url;

    /// <summary>The HTTP status the server answered with (the upgrade: one other than 101; a POST: an error status), when there was one.</summary>
    public HttpStatusCode? StatusCode { get; } = statusCode;

    /// <summary>
    /// False when retrying cannot help: the server refused with a 4xx status other than 408 or 429
    /// (wrong path, missing or bad credentials). Reconnecting gives up at once on such a refusal.
    /// </summary>
    public bool IsRetryable => StatusCode is not { } status || (int)status is < 400 or >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;
}

/// <summary>
/// The connection a request needed is gone: it dropped while the request was in flight, the client gave up
/// reconnecting, it was never re-established (<see cref="McpTransportConfig.AutoReconnect"/> off), or the client was closed.
/// The request may or may not have been carried out by the server.
/// </summary>
public sealed class McpConnectionLostException(string message, Exception? innerException = null)
    : McpException(message, innerException);
