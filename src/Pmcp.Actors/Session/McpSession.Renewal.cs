using Pmcp.Actors.Security;
using Pmcp.Actors.Session.Era2026;
using Pmcp.Protocol;

namespace Pmcp.Actors.Session;

/// <summary>
/// What lets a pooled 2026-07-28 request host (issue 29) serve request after request on one session: the session of the
/// last request renewed instead of a new one, and the request's <c>_meta</c> taken as its transport read it.
/// </summary>
internal sealed partial class McpSession
{
    /// <summary>
    /// Makes this session, whose request has ended clean, a fresh one for the next request of its host (a pooled
    /// 2026-07-28 request host, issue 29): everything the last request set is forgotten, as in a session just made, but the
    /// tables its calls and requests used (and the call runner) are kept, emptied, instead of made again for every
    /// request. Only for a session nothing of which is left running (the host's check): a call or a request to the
    /// client still on its way could otherwise reach the next request.
    /// </summary>
    internal void Renew(long connectionId, CallerIdentity? caller)
    {
        Caller = caller;
        Phase = SessionPhase.AwaitingInitialize;
        ProtocolVersion = null;
        ClientInitialized = false;
        ClientCapabilities = default;
        LogRank = LoggingLevels.Rank(Options.DefaultLogLevel);
        _methods = MethodTable.For(null);
        _subscriptions = null;
        _changedBeforeInitialized = null;
        _closeRequested = false;
        _transportGone = false;
        _taskScope = null;
        _admission = Options.MaxMessagesPerSecond > 0 ? new InboundAdmission(this, Options) : null; // a fresh rate, as a new session's
        _spareModern ??= Modern;
        Modern = null;
        Listens = null;
        Batches.Clear();
        Calls.Renew(connectionId);
        ClientRequests.Clear();
        _telemetry.Clear();
    }

    // The modern era's table of requests of the last request served, emptied and given its next caller when the era is entered again.
    private ModernRequests? _spareModern;

    /// <summary>
    /// One 2026-07-28 request the transport has parsed and whose <c>_meta</c> it has read already (<paramref name="meta"/>,
    /// as <see cref="RequestMeta.TryRead"/> read it): its handler takes that instead of reading it again.
    /// </summary>
    public void Receive(JsonRpcMessage message, RequestMeta meta)
    {
        _metaRead = (message.Id, meta);
        try
        {
            Receive(message);
        }
        finally
        {
            _metaRead = null;
        }
    }

    // The _meta of the request being received, when its transport read it (read once per request, issue 29).
    private (RequestId? Id, RequestMeta Meta)? _metaRead;

    /// <summary>Request <paramref name="id"/>'s <c>_meta</c> as its transport read it; false when it did not (the handler reads it).</summary>
    internal bool TryTakeMetaRead(RequestId id, out RequestMeta meta)
    {
        if (_metaRead is { Id: { } read } known && read == id)
        {
            meta = known.Meta;
            _metaRead = null;
            return true;
        }
        meta = default;
        return false;
    }
}
