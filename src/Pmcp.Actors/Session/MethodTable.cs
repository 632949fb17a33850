using System.Collections.Frozen;
using Pmcp.Protocol;

namespace Pmcp.Actors.Session;

/// <summary>Handles one request of a session; the handler answers it (at once or later) through the session.</summary>
internal delegate void RequestHandler(McpSession session, RequestId id, JsonRpcMessage request);

/// <summary>Handles one notification from the client.</summary>
internal delegate void NotificationHandler(McpSession session, JsonRpcMessage notification);

/// <summary>One method of a protocol era.</summary>
/// <param name="Gate">The server capability the method belongs to: a method of a feature the server did not announce is answered -32601. Null: always offered.</param>
/// <param name="BeforeInitialize">Served before initialize (ping, initialize); every other method is refused until then.</param>
/// <param name="RunsUserCode">Runs a tool's, resource's or prompt's code: counts against the in-flight limit, refused while the server drains.</param>
internal sealed record MethodEntry(RequestHandler Handler, Func<ServerCapabilities, bool>? Gate = null, bool BeforeInitialize = false, bool RunsUserCode = false)
{
    public bool IsOffered(ServerCapabilities capabilities) => Gate?.Invoke(capabilities) ?? true;
}

/// <summary>
/// The methods of one protocol era: method name → handler and capability gate, for requests and for notifications.
/// Adding a method is one entry here (in the era's table) and one handler file; the next era (2026-07-28) brings its
/// own table in its own folder, chosen by the negotiated version in <see cref="For"/>.
/// </summary>
internal sealed class MethodTable(IDictionary<string, MethodEntry> requests, IDictionary<string, NotificationHandler> notifications)
{
    private readonly FrozenDictionary<string, MethodEntry> _requests = requests.ToFrozenDictionary(StringComparer.Ordinal);
    private readonly FrozenDictionary<string, NotificationHandler> _notifications = notifications.ToFrozenDictionary(StringComparer.Ordinal);

    public MethodEntry? Find(string method) => _requests.GetValueOrDefault(method);

    public NotificationHandler? Notification(string method) => _notifications.GetValueOrDefault(method);

    /// <summary>The table of the era <paramref name="protocolVersion"/> belongs to (null: not negotiated yet, where the 2025 era's ping and initialize are served).</summary>
    public static MethodTable For(string? protocolVersion) =>
        protocolVersion == Era2026.ModernProtocol.Version ? Era2026.Methods2026.Table : Era2025.Methods2025.Table;
}
