using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using static Pmcp.Actors.Messages.ConnectionProtocol;

namespace Pmcp.Actors.Session;

/// <summary>
/// The server's requests to the client (sampling, elicitation, roots, ping) that tools send through the session: each
/// gets a numeric id of the session's, a deadline, and exactly one end for the code that asked — the client's answer,
/// its error, the deadline, or the session's end.
/// </summary>
internal sealed class ClientRequests(McpSession session, ISessionHost host)
{
    // Made with the first request to the client: most sessions, and every 2026 request, never send one.
    private Dictionary<long, Pending>? _pending;
    private Dictionary<string, long>? _idsByKey;
    private long _nextId;

    private sealed record Pending(string Key, object Asker, string Method, RequestId? Related);

    public int Count => _pending?.Count ?? 0;

    /// <summary>Forgets every request, as in a new session (<see cref="McpSession.Renew"/>; none is pending then).</summary>
    public void Clear()
    {
        _pending?.Clear();
        _idsByKey?.Clear();
        _nextId = 0;
    }

    public void Send(ClientRequest request, object asker)
    {
        if (session.ClientCapabilities.Refusal(request, session) is { } reason)
        {
            host.TellAsker(asker, new ClientRequestFailed(request.Key, ClientRequestFailure.NotSupported, reason));
            return;
        }

        var id = ++_nextId;
        (_pending ??= [])[id] = new Pending(request.Key, asker, request.Method, request.RelatedRequest);
        (_idsByKey ??= [])[request.Key] = id;
        host.ClientRequestDeadline(id, session.Options.ClientRequestTimeout);
        session.Send(JsonRpcWriter.RequestRaw(new RequestId(id), request.Method, request.ParamsJson), request.RelatedRequest);
    }

    /// <summary>The client answered one of the server's requests (a late or unknown answer is ignored).</summary>
    public void Answered(JsonRpcMessage msg)
    {
        if (msg.Id?.AsNumber is not { } id || _pending is null || !_pending.Remove(id, out var pending)) return;
        _idsByKey!.Remove(pending.Key);
        host.ClientRequestDeadline(id, null);
        if (msg.Kind == JsonRpcMessageKind.Response)
            host.TellAsker(pending.Asker, new ClientRequestCompleted(pending.Key, msg.Result!.ToString(Formatting.None)));
        else
            host.TellAsker(pending.Asker, new ClientRequestFailed(pending.Key, ClientRequestFailure.ErrorResponse,
                $"The client answered {pending.Method} with error {msg.Error!.Code}: {msg.Error.Message}", msg.Error.Code));
    }

    /// <summary>The tool gave up on its request: the client is told, and no answer follows.</summary>
    public void Cancel(string key)
    {
        if (_idsByKey is null || !_idsByKey.Remove(key, out var id) || !_pending!.Remove(id, out var cancelled)) return;
        host.ClientRequestDeadline(id, null);
        session.Send(JsonRpcWriter.Notification(McpMethods.Cancelled, new CancelledParams(new RequestId(id)) { Reason = "cancelled by the server" }), cancelled.Related);
    }

    public void TimedOut(long id)
    {
        if (_pending is null || !_pending.Remove(id, out var expired)) return;
        _idsByKey!.Remove(expired.Key);
        session.Send(JsonRpcWriter.Notification(McpMethods.Cancelled, new CancelledParams(new RequestId(id)) { Reason = "timed out" }), expired.Related);
        host.TellAsker(expired.Asker, new ClientRequestFailed(expired.Key, ClientRequestFailure.Timeout,
            $"The client did not answer {expired.Method} within {session.Options.ClientRequestTimeout.TotalSeconds:0.###} s."));
    }

    public void FailAll(string why)
    {
        if (_pending is null) return;
        foreach (var pending in _pending.Values)
            host.TellAsker(pending.Asker, new ClientRequestFailed(pending.Key, ClientRequestFailure.ConnectionClosed, $"The request {pending.Method} failed: {why}."));
        _pending.Clear();
        _idsByKey!.Clear();
    }
}
