using Newtonsoft.Json.Linq;
using Pmcp.Protocol;

namespace Pmcp.Actors.Tools;

/// <summary>
/// The client that made a call, as its tool sees it: requests the server may send it (each only when the client
/// declared the matching capability) and log messages for it. The same code serves both eras: in 2025 each request is
/// sent to the client and awaited; in 2026-07-28 (no server→client requests) the call ends with an
/// <c>InputRequiredResult</c> naming what it asks, and the client's retry runs the handler again with the answers,
/// which these methods then return at once. Code before a request may so run more than once: keep it free of side
/// effects. Each request has an input key (the overloads that take one name it; otherwise <c>elicitation-1</c>,
/// <c>sampling-1</c>, <c>roots-1</c>, ... in the order the handler asks): a handler must ask in the same order on
/// every run, or name its keys.
/// </summary>
public interface IClientSession
{
    /// <summary>Asks the client's model for a completion (<c>sampling/createMessage</c>).</summary>
    Task<CreateMessageResult> SampleAsync(CreateMessageParams request, CancellationToken cancellationToken = default);

    /// <summary>Asks the user for input (<c>elicitation/create</c>), in form or URL mode.</summary>
    Task<ElicitResult> ElicitAsync(ElicitParams request, CancellationToken cancellationToken = default);

    /// <summary>Asks for the client's roots (<c>roots/list</c>).</summary>
    Task<ListRootsResult> ListRootsAsync(CancellationToken cancellationToken = default);

    // Two overloads with an optional token each (RS0026): the keyed ones take a string before it, so a call binds to one
    // of them unambiguously; only a bare `default` in that place would not compile, which its author sees at once.
#pragma warning disable RS0026
    /// <summary><see cref="SampleAsync(CreateMessageParams, CancellationToken)"/> under the input key <paramref name="inputKey"/> (2026-07-28: the key of its <c>inputRequests</c> entry).</summary>
    Task<CreateMessageResult> SampleAsync(CreateMessageParams request, string inputKey, CancellationToken cancellationToken = default);

    /// <summary><see cref="ElicitAsync(ElicitParams, CancellationToken)"/> under the input key <paramref name="inputKey"/> (2026-07-28: the key of its <c>inputRequests</c> entry).</summary>
    Task<ElicitResult> ElicitAsync(ElicitParams request, string inputKey, CancellationToken cancellationToken = default);

    /// <summary><see cref="ListRootsAsync(CancellationToken)"/> under the input key <paramref name="inputKey"/> (2026-07-28: the key of its <c>inputRequests</c> entry).</summary>
    Task<ListRootsResult> ListRootsAsync(string inputKey, CancellationToken cancellationToken = default);
#pragma warning restore RS0026

    /// <summary>Pings the client; completes when it answers.</summary>
    Task PingAsync(CancellationToken cancellationToken = default);

    /// <summary>Sends <c>notifications/message</c> when <paramref name="level"/> is at or above the session's level.</summary>
    void Log(string level, JToken data, string? logger = null);
}

/// <summary>Why a request to the client did not get a result.</summary>
public enum ClientRequestFailure
{
    /// <summary>
    /// The client did not declare the capability (or its protocol revision lacks the feature); nothing was sent. A
    /// handler may catch it and do without; in 2026-07-28, one that fails with it is answered -32021 (the capability
    /// the request needed, in <c>data.requiredCapabilities</c>).
    /// </summary>
    NotSupported,

    /// <summary>The client answered with a JSON-RPC error.</summary>
    ErrorResponse,

    /// <summary>No answer within <see cref="McpServerOptions.ClientRequestTimeout"/>; the request was cancelled.</summary>
    Timeout,

    /// <summary>The connection closed before the answer came.</summary>
    ConnectionClosed,
}

/// <summary>A request to the client failed; <see cref="Failure"/> says how, <see cref="Code"/> carries the client's error code.</summary>
public sealed class ClientRequestException(ClientRequestFailure failure, string message, int? code = null) : Exception(message)
{
    public ClientRequestFailure Failure { get; } = failure;

    public int? Code { get; } = code;
}
