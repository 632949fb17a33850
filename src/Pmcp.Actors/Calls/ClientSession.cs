using Akka.Actor;
using Microsoft.Extensions.Logging;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Messages;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;

namespace Pmcp.Actors.Calls;

/// <summary>
/// A tool's handle on its client: every request goes through the client's ConnectionActor, which owns the id space and
/// the timeout. <paramref name="relatedRequest"/>: the client's request the tool serves, so that its requests and log
/// messages travel with that request's answer (on Streamable HTTP, on the POST stream that carried it).
/// </summary>
internal sealed class ClientSession(IActorRef connection, RequestId? relatedRequest = null) : ICallClientSession
{
    // How many requests of each kind the handler made: the default input keys (elicitation-1, sampling-1, roots-1, ...).
    private int _elicitations, _samplings, _rootLists;

    /// <summary>True once anything was told to the connection (a log message, a request).</summary>
    public bool HasSent { get; private set; }

    public Task<CreateMessageResult> SampleAsync(CreateMessageParams request, CancellationToken cancellationToken = default) =>
        SampleAsync(request, "sampling-" + Interlocked.Increment(ref _samplings), cancellationToken);

    public async Task<CreateMessageResult> SampleAsync(CreateMessageParams request, string inputKey, CancellationToken cancellationToken = default) =>
        McpJson.ToObject<CreateMessageResult>(await RequestAsync(McpMethods.SamplingCreateMessage, request, inputKey, cancellationToken).ConfigureAwait(false));

    public Task<ElicitResult> ElicitAsync(ElicitParams request, CancellationToken cancellationToken = default) =>
        ElicitAsync(request, "elicitation-" + Interlocked.Increment(ref _elicitations), cancellationToken);

    public async Task<ElicitResult> ElicitAsync(ElicitParams request, string inputKey, CancellationToken cancellationToken = default) =>
        McpJson.ToObject<ElicitResult>(await RequestAsync(McpMethods.ElicitationCreate, request, inputKey, cancellationToken).ConfigureAwait(false));

    public Task<ListRootsResult> ListRootsAsync(CancellationToken cancellationToken = default) =>
        ListRootsAsync("roots-" + Interlocked.Increment(ref _rootLists), cancellationToken);

    public async Task<ListRootsResult> ListRootsAsync(string inputKey, CancellationToken cancellationToken = default) =>
        McpJson.ToObject<ListRootsResult>(await RequestAsync(McpMethods.RootsList, null, inputKey, cancellationToken).ConfigureAwait(false));

    public Task PingAsync(CancellationToken cancellationToken = default) => RequestAsync(McpMethods.Ping, null, null, cancellationToken);

    /// <summary>
    /// Asks the connection whether the call continues as a task (<see cref="ToolContext.ContinueAsTaskAsync"/>): the
    /// session that can make one answers "input required" (the handler stops and the request is answered with the task);
    /// any other answers at once.
    /// </summary>
    public async Task ContinueAsTaskAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var reply = await connection.Ask<object>(new ConnectionProtocol.ClientRequest(Guid.NewGuid().ToString("N"), TaskHandoff.Method, null, relatedRequest),
            cancellationToken: cancellationToken).ConfigureAwait(false);
        switch (reply)
        {
            case ConnectionProtocol.ClientInputRequired:
                throw new TaskHandoffException();
            case ConnectionProtocol.ClientRequestFailed failed:
                throw new ClientRequestException(failed.Failure, failed.Message, failed.Code);
        }
    }

    public void Log(string level, JToken data, string? logger = null)
    {
        if (LoggingLevels.Rank(level) < 0) throw new ArgumentException($"Unknown log level '{level}'.", nameof(level));
        HasSent = true;
        connection.Tell(new ConnectionProtocol.ClientLog(level, logger, data.ToString(Formatting.None), relatedRequest));
    }

    private async Task<JToken> RequestAsync(string method, object? parameters, string? inputKey, CancellationToken cancellationToken)
    {
        if (inputKey is { Length: 0 }) throw new ArgumentException("An input key must not be empty.", nameof(inputKey));
        cancellationToken.ThrowIfCancellationRequested();
        HasSent = true;
        var key = Guid.NewGuid().ToString("N");
        var json = parameters is null ? null : McpJson.Serialize(parameters);
        using var registration = cancellationToken.Register(() => connection.Tell(new ConnectionProtocol.CancelClientRequest(key)));
        // The connection always answers: with the client's reply (or, in 2026-07-28, the answer its retry carried), a
        // refusal, its own timeout, its closing, or (2026-07-28) "asked: the call ends with an InputRequiredResult".
        var reply = await connection.Ask<object>(new ConnectionProtocol.ClientRequest(key, method, json, relatedRequest, inputKey), cancellationToken: cancellationToken).ConfigureAwait(false);
        return reply switch
        {
            ConnectionProtocol.ClientRequestCompleted done => McpJson.Parse(done.ResultJson),
            ConnectionProtocol.ClientRequestFailed failed => throw new ClientRequestException(failed.Failure, failed.Message, failed.Code),
            ConnectionProtocol.ClientInputRequired => throw new InputRequiredException(method, inputKey!),
            _ => throw new InvalidOperationException($"Unexpected answer to {method}: {reply.GetType().Name}"),
        };
    }
}
