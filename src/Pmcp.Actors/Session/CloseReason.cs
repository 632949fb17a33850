namespace Pmcp.Actors.Session;

/// <summary>Why a session's transport closes, in terms of the session: each transport says it its own way (a WebSocket close code; the end of an HTTP session).</summary>
internal enum CloseKind
{
    /// <summary>The session ended normally (idle timeout). WebSocket 1000.</summary>
    Normal,

    /// <summary>The server is shutting down. WebSocket 1001.</summary>
    ShuttingDown,

    /// <summary>The client broke a rule: no initialize in time, too many messages, an outbound queue it does not read. WebSocket 1008.</summary>
    PolicyViolation,

    /// <summary>The session failed. WebSocket 1011.</summary>
    InternalError,
}

/// <summary>A transport-neutral close: the kind and a short text for the peer.</summary>
internal readonly record struct CloseReason(CloseKind Kind, string Text);
