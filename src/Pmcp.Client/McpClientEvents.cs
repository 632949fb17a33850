using Newtonsoft.Json.Linq;
using Pmcp.Protocol;

namespace Pmcp.Client;

/// <summary>Where an <see cref="McpClient"/> is in its life.</summary>
public enum McpClientState
{
    /// <summary>Made, not yet initialized: only <see cref="McpClient.InitializeAsync"/> may be called.</summary>
    Created,

    /// <summary>The first initialize is under way.</summary>
    Initializing,

    /// <summary>Initialized and connected: requests go out at once.</summary>
    Ready,

    /// <summary>The connection dropped and the client is reconnecting; new requests wait for it (see <see cref="McpClient"/>).</summary>
    Reconnecting,

    /// <summary>Closed by the application, dropped with AutoReconnect off, or given up: every request fails.</summary>
    Closed,
}

/// <summary>The connection of a ready client dropped. Every request in flight has already failed.</summary>
public sealed class McpDisconnectedEventArgs(McpConnectionLostException reason, bool willReconnect) : EventArgs
{
    /// <summary>Why: a close frame from the server (with its code), a socket error, a ping with no pong, …</summary>
    public McpConnectionLostException Reason { get; } = reason;

    /// <summary>True when <see cref="McpTransportConfig.AutoReconnect"/> is on and reconnecting starts now.</summary>
    public bool WillReconnect { get; } = willReconnect;
}

/// <summary>A reconnect attempt is due after <see cref="Delay"/>.</summary>
public sealed class McpReconnectingEventArgs(int attempt, TimeSpan delay, Exception lastError) : EventArgs
{
    /// <summary>1 for the first attempt after the drop, counting up while attempts fail.</summary>
    public int Attempt { get; } = attempt;

    /// <summary>The backoff wait before this attempt (jitter included).</summary>
    public TimeSpan Delay { get; } = delay;

    /// <summary>The drop itself before the first attempt; afterwards, why the previous attempt failed.</summary>
    public Exception LastError { get; } = lastError;
}

/// <summary>The client is connected again and has re-run initialize; requests go out again.</summary>
public sealed class McpReconnectedEventArgs(int attempt, InitializeResult result) : EventArgs
{
    /// <summary>The attempt that succeeded (1 when the first did).</summary>
    public int Attempt { get; } = attempt;

    /// <summary>The server's answer to the new initialize.</summary>
    public InitializeResult Result { get; } = result;
}

/// <summary>The client stopped reconnecting and is closed: the attempts allowed have failed, or a failure cannot be retried.</summary>
public sealed class McpGaveUpEventArgs(int failedAttempts, Exception lastError) : EventArgs
{
    /// <summary>How many consecutive attempts failed.</summary>
    public int FailedAttempts { get; } = failedAttempts;

    public Exception LastError { get; } = lastError;
}

/// <summary>Answers a request the server sends (<c>sampling/createMessage</c>, <c>elicitation/create</c>, <c>roots/list</c>, …).</summary>
/// <param name="parameters">The request's params, null when absent.</param>
/// <param name="cancellationToken">Cancelled when the server sends <c>notifications/cancelled</c> for it, the connection drops or the client closes; then no answer is sent.</param>
/// <returns>The result object. Throw <see cref="McpProtocolException"/> to answer with that JSON-RPC error; any other exception answers -32603.</returns>
public delegate Task<JToken> McpRequestHandler(JObject? parameters, CancellationToken cancellationToken);
