using Newtonsoft.Json.Linq;
using Pmcp.Protocol;

namespace Pmcp.Actors.Tools;

/// <summary>
/// The client that made a call, as its tool sees it: requests the server may send it (each only when the client
/// declared the matching capability) and log messages for it.
/// </summary>
public interface IClientSession
{
    /// <summary>Asks the client's model for a completion (<c>sampling/createMessage</c>).</summary>
    Task<CreateMessageResult> SampleAsync(CreateMessageParams request, CancellationToken cancellationToken = default);

    /// <summary>Asks the user for input (<c>elicitation/create</c>), in form or URL mode.</summary>
    Task<ElicitResult> ElicitAsync(ElicitParams request, CancellationToken cancellationToken = default);

    /// <summary>Asks for the client's roots (<c>roots/list</c>).</summary>
    Task<ListRootsResult> ListRootsAsync(CancellationToken cancellationToken = default);

    /// <summary>Pings the client; completes when it answers.</summary>
    Task PingAsync(CancellationToken cancellationToken = default);

    /// <summary>Sends <c>notifications/message</c> when <paramref name="level"/> is at or above the session's level.</summary>
    void Log(string level, JToken data, string? logger = null);
}

/// <summary>Why a request to the client did not get a result.</summary>
public enum ClientRequestFailure
{
    /// <summary>The client did not declare the capability (or its protocol revision lacks the feature); nothing was sent.</summary>
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
