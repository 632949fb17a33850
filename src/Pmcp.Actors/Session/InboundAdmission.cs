using Pmcp.Protocol;

namespace Pmcp.Actors.Session;

/// <summary>
/// The per-session message rate limit: a request over the limit is answered with -32005 (a batch with one -32005 whose
/// id is null), a notification is dropped; responses to the server's own requests always pass (the server sets their
/// pace). Too many refusals in a row close the session as a policy violation.
/// </summary>
internal sealed class InboundAdmission(McpSession session, McpServerOptions options)
{
    private readonly MessageRateLimiter _limiter = new(options.MaxMessagesPerSecond, options.MessageBurst);
    private int _violations;

    /// <summary>True when the message, as text, may be handled.</summary>
    public bool Admit(string text)
    {
        if (TryTake()) return true;
        // Parsed only when refused (the admitted message is parsed once, by the session).
        var batch = text.AsSpan().TrimStart().StartsWith("[");
        JsonRpcMessage? msg = null;
        if (!batch && JsonRpcMessage.TryParse(text, out var parsed, out _, out _)) msg = parsed;
        return Refused(batch, msg);
    }

    /// <summary>True when the message, parsed by its transport, may be handled.</summary>
    public bool Admit(JsonRpcMessage message) => TryTake() || Refused(batch: false, message);

    private bool TryTake()
    {
        if (session.CloseRequested) return true;
        if (!_limiter.TryTake(session.Host.Now)) return false;
        _violations = 0;
        return true;
    }

    private bool Refused(bool batch, JsonRpcMessage? msg)
    {
        if (msg?.Kind is JsonRpcMessageKind.Response or JsonRpcMessageKind.ErrorResponse) return true;
        session.Telemetry.RateLimited();

        if (++_violations >= options.RateLimitViolationsBeforeClose)
        {
            session.Host.LogWarning($"{_violations} messages over the rate limit in a row, closing");
            session.Close(new CloseReason(CloseKind.PolicyViolation, "message rate limit exceeded"));
            return false;
        }

        var message = $"Rate limited: more than {options.MaxMessagesPerSecond:0.###} messages per second; the request was not run.";
        if (batch) session.Send(JsonRpcWriter.Error(null, JsonRpcErrorCodes.RateLimited, message));
        else if (msg is { Kind: JsonRpcMessageKind.Request }) session.Send(JsonRpcWriter.Error(msg.Id!.Value, JsonRpcErrorCodes.RateLimited, message), msg.Id!.Value, final: true);
        // Notifications and unparseable text are dropped silently.
        return false;
    }
}
