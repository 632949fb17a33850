using System.Security.Claims;
using Microsoft.Extensions.Logging;
using Pmcp.Actors.Security;
using Pmcp.Protocol;

namespace Pmcp.Actors.Tools;

/// <summary>What a tool handler gets besides its arguments.</summary>
public sealed class ToolContext
{
    private readonly CallerIdentity? _caller;
    private readonly IClientSessionSource _clients;
    private readonly ILogger _serverLogger;
    private readonly ICallCancellation _cancellation;
    private ClaimsPrincipal? _user;
    private IClientSession? _client;
    private ToolLogger? _logger;

    internal ToolContext(string toolName, RequestId requestId, IProgressReporter progress, IClientSessionSource clients, ILogger serverLogger,
        ICallCancellation cancellation, CallerIdentity? caller = null)
    {
        _caller = caller;
        _clients = clients;
        _serverLogger = serverLogger;
        ToolName = toolName;
        RequestId = requestId;
        Progress = progress;
        _cancellation = cancellation;
    }

    public string ToolName { get; }

    /// <summary>The JSON-RPC id of the <c>tools/call</c> request.</summary>
    public RequestId RequestId { get; }

    /// <summary>Reports progress to the client, bound to the request's progressToken; does nothing when the client sent none.</summary>
    public IProgressReporter Progress { get; }

    /// <summary>The calling client: sampling, elicitation, roots, ping and log messages.</summary>
    /// <remarks>Built on first use, like <see cref="Logger"/> and <see cref="User"/>: most tools use none of them.</remarks>
    public IClientSession Client => Volatile.Read(ref _client) ?? Interlocked.CompareExchange(ref _client, _clients.OpenClient(RequestId), null) ?? _client;

    /// <summary>
    /// Logs to the server's log (category <c>Pmcp.Tools.&lt;name&gt;</c>) and, at or above the session's level, to the
    /// client as <c>notifications/message</c>.
    /// </summary>
    public ILogger Logger => Volatile.Read(ref _logger) ?? Interlocked.CompareExchange(ref _logger, new ToolLogger(_serverLogger, Client, ToolName), null) ?? _logger;

    /// <summary>Cancelled when the client cancels the call, its connection closes, or the call's timeout passes.</summary>
    /// <remarks>Its source is made when it is first asked for: most tools never look (issue 29).</remarks>
    public CancellationToken CancellationToken => _cancellation.Token;

    /// <summary>
    /// The caller, as authenticated at the WebSocket upgrade (<c>HttpContext.User</c>): its claims, name and roles.
    /// Unauthenticated (<c>Identity.IsAuthenticated</c> false, no claims) when the endpoint has no authentication.
    /// </summary>
    /// <remarks>Built on first use: most tools never look, and a principal is several objects.</remarks>
    public ClaimsPrincipal User => _user ??= CallerIdentity.ToPrincipal(_caller);

    /// <summary>
    /// The handler has the input it needs: what follows may run as a task. In a 2026-07-28 call of a tool declared
    /// <see cref="McpToolDefinition.InputBeforeTask"/>, whose client takes tasks, the handler stops here and the call is
    /// answered with a task, which runs the handler again from the start with the answers it was given (so the code
    /// before this point must be safe to run twice). Everywhere else (inside that task, a call that cannot become a
    /// task, a 2025-11-25 session) it returns at once and the handler goes on.
    /// </summary>
    public Task ContinueAsTaskAsync(CancellationToken cancellationToken = default) =>
        ((ICallClientSession)Client).ContinueAsTaskAsync(cancellationToken);

    /// <summary>True once the tool told its client anything through <see cref="Client"/> or <see cref="Logger"/>.</summary>
    internal bool HasToldClient => Volatile.Read(ref _client) is ICallClientSession { HasSent: true };
}

/// <summary>
/// Sends <c>notifications/progress</c> for one request. Values that do not increase are dropped (the spec requires
/// increase), and at most one per <see cref="McpServerOptions.ProgressInterval"/> is sent, except the final one.
/// </summary>
public interface IProgressReporter
{
    /// <summary>False when the client asked for no progress (no progressToken): a tool may skip the work of computing it.</summary>
    bool IsEnabled { get; }

    void Report(double progress, double? total = null, string? message = null);
}
