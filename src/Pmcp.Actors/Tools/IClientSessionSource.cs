using Pmcp.Protocol;

namespace Pmcp.Actors.Tools;

/// <summary>
/// Where a <see cref="ToolContext"/> gets its client from, on first use of <see cref="ToolContext.Client"/>: the call
/// that runs the tool knows how its client is reached (the connection, or the task that holds the call), the context
/// does not need to.
/// </summary>
internal interface IClientSessionSource
{
    IClientSession OpenClient(RequestId requestId);
}

/// <summary>
/// The side of a tool's client session that only the server uses: whether the tool has told its client anything yet
/// (<see cref="ToolContext.HasToldClient"/>), and the handoff of <see cref="ToolContext.ContinueAsTaskAsync"/>.
/// </summary>
internal interface ICallClientSession : IClientSession
{
    bool HasSent { get; }

    Task ContinueAsTaskAsync(CancellationToken cancellationToken);
}
