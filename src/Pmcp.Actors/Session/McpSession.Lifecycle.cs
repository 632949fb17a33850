
namespace Pmcp.Actors.Session;

/// <summary>Where a session is in its life.</summary>
internal enum SessionPhase
{
    /// <summary>Nothing but ping and initialize is served.</summary>
    AwaitingInitialize,

    /// <summary>Initialized: every method of the era's table is served.</summary>
    Operating,

    /// <summary>Shutting down: calls in flight finish, new ones are refused, the transport closes when none is left.</summary>
    Draining,

    /// <summary>A close is on its way: the session waits for its transport to end.</summary>
    Closing,
}

/// <summary>The session's life: the timers and signals that move its phase on, and how it closes.</summary>
internal sealed partial class McpSession
{
    public void HandshakeTimedOut()
    {
        if (Phase == SessionPhase.AwaitingInitialize) Close(new CloseReason(CloseKind.PolicyViolation, "initialize not received in time"));
    }

    /// <summary>Shutdown began: new calls are refused (those held back too), the transport closes when the last call is answered.</summary>
    public void Drain()
    {
        switch (Phase)
        {
            case SessionPhase.AwaitingInitialize:
                Close(ShuttingDown);
                return;
            case SessionPhase.Operating:
                Listens?.EndAll();
                Phase = SessionPhase.Draining;
                Calls.RunHeldBack();
                CloseIfDrained();
                return;
        }
    }

    /// <summary>The drain timeout passed: close now, cancelling what still runs.</summary>
    public void DrainDeadline()
    {
        if (Phase is SessionPhase.AwaitingInitialize or SessionPhase.Draining) Close(ShuttingDown);
    }

    /// <summary>Nothing came from the client for the idle timeout: an idle session (no call, no request to the client) closes.</summary>
    public void IdleTimeout()
    {
        if (Phase == SessionPhase.Operating && Calls.Count == 0 && ClientRequests.Count == 0 && (Listens?.Count ?? 0) == 0) Close(new CloseReason(CloseKind.Normal, "idle timeout"));
    }

    /// <summary>The transport ended (the peer closed, it failed, or the server's own close completed).</summary>
    public void TransportClosed()
    {
        _transportGone = true;
        _host.Stop();
    }

    /// <summary>The host stops (it failed, or the transport is gone): calls are cancelled, and a transport still open is closed as failed.</summary>
    public void Stopped()
    {
        Listens?.Stopped();
        ClientRequests.FailAll("the connection closed");
        Calls.CancelAll();
        if (!_closeRequested && !_transportGone) _host.Close(new CloseReason(CloseKind.InternalError, "internal server error"));
    }

    private static CloseReason ShuttingDown => new(CloseKind.ShuttingDown, "server shutting down");

    private bool IsOpen => Phase is SessionPhase.Operating or SessionPhase.Draining;

    private void CloseIfDrained()
    {
        if (Phase == SessionPhase.Draining && Calls.Count == 0) Close(ShuttingDown);
    }

    internal void Close(CloseReason reason)
    {
        if (_closeRequested) return;
        _closeRequested = true;
        Calls.CancelAll();
        Calls.Clear();
        ClientRequests.FailAll("the connection closed");
        _host.Close(reason);
        Phase = SessionPhase.Closing;
    }

    internal bool CloseRequested => _closeRequested;
}
