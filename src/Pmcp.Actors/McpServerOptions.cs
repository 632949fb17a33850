namespace Pmcp.Actors;

/// <summary>
/// Transport limits and timers of an MCP WebSocket server. Every property is read by the server; the defaults are the
/// documented ones (README, "Configuration"). Bound from the configuration section <c>Pmcp:Server</c> by the standalone server.
/// The rules for each value: <see cref="Hosting.McpServerOptionsValidator"/>, checked when the host starts.
/// </summary>
public sealed class McpServerOptions
{
    /// <summary>The HTTP path of the MCP endpoint (WebSocket upgrades and Streamable HTTP).</summary>
    public string Path { get; set; } = "/mcp";

    /// <summary>How many tools one <c>tools/list</c> page holds.</summary>
    public int ToolsPageSize { get; set; } = 50;

    /// <summary>How often the server sends a WebSocket ping. Zero turns keepalive off.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a ping may go unanswered before the socket is aborted. Zero: pings are sent, pongs are not awaited.</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A socket that has not sent <c>initialize</c> within this time is closed with 1008; a Streamable HTTP session whose
    /// client does not come back after <c>initialize</c> (with <c>notifications/initialized</c> or any request) within
    /// this time ends, its id then getting 404.
    /// </summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A session that sends nothing and has no call in flight for this long is closed with 1000. Null: never.</summary>
    public TimeSpan? IdleTimeout { get; set; }

    /// <summary>
    /// A Streamable HTTP session with no request or stream open for this long ends (its id then gets 404). WebSocket
    /// connections end with their socket and do not use it.
    /// </summary>
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The largest inbound message in bytes (after reassembly of fragments); larger closes with 1009.</summary>
    public int MaxMessageBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// Open sockets and Streamable HTTP sessions, counted together. At the limit an idle session (no call in flight, no
    /// stream open) is ended to make room, one that never ran a call first, then the least recently active (a socket
    /// closes with 1013, an HTTP session's id gets 404); only when none is idle does a WebSocket upgrade or an
    /// initialize POST get HTTP 503.
    /// </summary>
    public int MaxConnections { get; set; } = 10_000;

    /// <summary>
    /// Open sockets and Streamable HTTP sessions one client may hold (an authenticated caller, or else an address, an
    /// IPv6 one by its /64); more get HTTP 429 with <c>Retry-After</c>. 0: no limit.
    /// </summary>
    public int MaxConnectionsPerClient { get; set; } = 500;

    /// <summary>At this many calls in flight on one connection the server stops reading that socket until one finishes.</summary>
    public int MaxInFlightCallsPerConnection { get; set; } = 64;

    /// <summary>Messages queued for one socket's writer; a client that lets the queue fill is closed with 1008.</summary>
    public int OutboundQueueCapacity { get; set; } = 1024;

    /// <summary>
    /// The memory one connection's queued outbound messages may hold (two bytes per character), counted over all its
    /// streams (a WebSocket; an HTTP session's POST answers and its SSE GET stream). A client that lets more pile up is
    /// cut: a WebSocket closes with 1008, an HTTP session ends (its streams end, its id gets 404). One message alone
    /// always fits, however large.
    /// </summary>
    public long MaxOutboundBytesPerConnection { get; set; } = 16L * 1024 * 1024;

    /// <summary>
    /// The memory all connections' queued outbound messages may hold together (two bytes per character), so that many
    /// clients that do not read, each within <see cref="MaxOutboundBytesPerConnection"/>, cannot run the server out of
    /// memory. Past it, the connections holding the most are cut as by their own budget (a WebSocket closes with 1008,
    /// an HTTP session ends), largest first, until what the rest hold fits; a client that reads holds little and is
    /// not the one cut.
    /// </summary>
    public long MaxOutboundBytesTotal { get; set; } = 256L * 1024 * 1024;

    /// <summary>A tool call still running after this long is cancelled and answered with an <c>isError</c> result. A tool may set its own.</summary>
    public TimeSpan ToolCallTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a request the server sends its client (sampling, elicitation, roots, ping) may wait for the answer.</summary>
    public TimeSpan ClientRequestTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>At most one progress notification per call per this interval; the final one (progress equal to total) always goes.</summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The level of <c>notifications/message</c> a session gets before it sends <c>logging/setLevel</c>.</summary>
    public string DefaultLogLevel { get; set; } = "info";

    /// <summary>
    /// Serves MCP 2026-07-28 (stateless requests, <c>server/discover</c>, per-request <c>_meta</c>, multi-round-trip
    /// requests, <c>subscriptions/listen</c>) beside the 2025 revisions. On by default: a channel that starts with
    /// <c>initialize</c> still gets the 2025 era exactly as before. Off: the server answers neither discovery nor
    /// self-describing requests, as a 2025-only server does (dual-era clients then fall back to <c>initialize</c>);
    /// for a deployment whose tools must not run again on a client's retry (a multi-round-trip request runs its
    /// handler from the start on each round).
    /// </summary>
    public bool ServeStatelessEra { get; set; } = true;

    /// <summary>
    /// The secret (base64, at least 32 bytes) that signs 2026-07-28 <c>requestState</c> (HMAC-SHA256), so that a client
    /// cannot change, forge or replay another caller's. Every gateway of a cluster must have the same one. Unset (the
    /// default): a key made on first use and kept in <see cref="DataDirectory"/>, readable by the server's user only.
    /// </summary>
    public string? RequestStateKey { get; set; }

    /// <summary>
    /// Where the server keeps files of its own (the <c>requestState</c> key when <see cref="RequestStateKey"/> is unset).
    /// Unset (the default): <c>pmcp</c> in the user's local application data folder (<c>~/.local/share/pmcp</c> on Linux).
    /// </summary>
    public string? DataDirectory { get; set; }

    /// <summary>
    /// 2026-07-28 caching hint <c>ttlMs</c> on list results (tools, prompts, resources, templates) and on
    /// <c>resources/read</c>: how long a client may reuse one before asking again. Zero (the default): ask every time.
    /// </summary>
    public TimeSpan CacheTtl { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// 2026-07-28 caching hint <c>cacheScope</c>: false (the default) says "private", as results may differ by caller
    /// (roles, scopes); true says "public", letting a shared cache keep them for every caller.
    /// </summary>
    public bool CacheResultsPublicly { get; set; }

    /// <summary>On shutdown, how long in-flight calls may run before their sockets are closed with 1001 anyway.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>After the server sends a close frame, how long it waits for the client's before it aborts the socket.</summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Browser origins allowed to connect (the <c>Origin</c> header, e.g. <c>https://app.example.com</c>); others get
    /// HTTP 403 before the upgrade. Empty (the default): loopback origins only (http or https on localhost, 127.0.0.0/8,
    /// [::1], any port). <c>*</c>: any origin. A request without an <c>Origin</c> header (not a browser) is always allowed.
    /// </summary>
    public List<string> AllowedOrigins { get; set; } = [];

    /// <summary>
    /// Messages per second one connection may send, sustained (a token bucket refilled at this rate). A request beyond
    /// it is answered with -32005 and not run; a notification is dropped. 0 (the default): no limit.
    /// </summary>
    public double MaxMessagesPerSecond { get; set; }

    /// <summary>How many messages a connection may send at once above the sustained rate (the bucket's size). 0: <see cref="MaxMessagesPerSecond"/> rounded up.</summary>
    public int MessageBurst { get; set; }

    /// <summary>This many rate-limited messages in a row (no admitted message between them) close the socket with 1008.</summary>
    public int RateLimitViolationsBeforeClose { get; set; } = 50;

    /// <summary>
    /// Sessions one client (as for <see cref="MaxConnectionsPerClient"/>) may start per
    /// <see cref="UpgradeRateLimitWindow"/>, WebSocket upgrades and initialize POSTs together; more get HTTP 429 with
    /// <c>Retry-After</c>. 0: no limit.
    /// </summary>
    public int MaxUpgradesPerWindow { get; set; } = 300;

    /// <summary>The fixed window of <see cref="MaxUpgradesPerWindow"/>.</summary>
    public TimeSpan UpgradeRateLimitWindow { get; set; } = TimeSpan.FromMinutes(1);
}
