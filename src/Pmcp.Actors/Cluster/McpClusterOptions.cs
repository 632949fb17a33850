namespace Pmcp.Actors.Cluster;

/// <summary>What a node does in a cluster: serve WebSocket sessions (<c>gateway</c>), run tools (<c>tools</c>), or both.</summary>
public enum McpNodeRole
{
    /// <summary>Sessions and tools on one node: the standalone server as it always was (the default).</summary>
    Both,

    /// <summary>Kestrel and the ConnectionActors; calls go to nodes with the <c>tools</c> role.</summary>
    Gateway,

    /// <summary>Tool workers only: no WebSocket endpoint.</summary>
    Tools,
}

/// <summary>
/// Running one MCP server as an Akka.Cluster: bound from <c>Pmcp:Cluster</c> by the standalone server
/// (<c>--role</c>, <c>--remote-port</c>, <c>--seed-nodes</c>). Off unless <see cref="Enabled"/>: then no Akka.Remote or
/// Akka.Cluster is started and the server runs exactly as a single process.
/// </summary>
public sealed class McpClusterOptions
{
    /// <summary>Role names as Akka.Cluster sees them.</summary>
    public const string GatewayRole = "gateway";

    public const string ToolsRole = "tools";

    /// <summary>Join a cluster. The standalone server turns it on when a role other than both, a remote port or seed nodes are given.</summary>
    public bool Enabled { get; set; }

    public McpNodeRole Role { get; set; } = McpNodeRole.Both;

    /// <summary>The address other nodes reach this one at. Use the same form everywhere: <c>127.0.0.1</c> and <c>localhost</c> are not interchangeable.</summary>
    public string Hostname { get; set; } = "127.0.0.1";

    /// <summary>The Akka.Remote port; 0 picks a free one (fine for nodes that are not seeds).</summary>
    public int RemotePort { get; set; }

    /// <summary>
    /// Seed nodes, <c>akka.tcp://SYSTEM@HOST:PORT</c>, where SYSTEM is the ActorSystem's name, the same on every node
    /// (<c>pmcp</c> for the standalone server). Empty: this node starts a new cluster by joining itself.
    /// </summary>
    public List<string> SeedNodes { get; set; } = [];

    /// <summary>A tool call is sent again to another node, at most this many times in all, when its node is lost and the tool is <see cref="Tools.McpToolDefinition.Idempotent"/>.</summary>
    public int MaxAttemptsForIdempotentTools { get; set; } = 2;

    /// <summary>
    /// A <c>tools</c> node has no WebSocket endpoint; with a port here it serves <c>/healthz/live</c> and <c>/healthz/ready</c>
    /// over HTTP on it (0: no HTTP at all). Gateways serve them on their WebSocket port.
    /// </summary>
    public int HealthPort { get; set; }

    public bool IsGateway => Role is McpNodeRole.Both or McpNodeRole.Gateway;

    public bool HostsTools => Role is McpNodeRole.Both or McpNodeRole.Tools;

    /// <summary>The Akka.Cluster roles of this node.</summary>
    public IReadOnlyList<string> Roles => Role switch
    {
        McpNodeRole.Gateway => [GatewayRole],
        McpNodeRole.Tools => [ToolsRole],
        _ => [GatewayRole, ToolsRole],
    };

    /// <summary>Throws <see cref="ArgumentException"/> naming the first value that cannot be used (the standalone server prints it).</summary>
    public void Validate()
    {
        if (RemotePort is < 0 or > 65535) throw new ArgumentException($"RemotePort must be 0 to 65535, not {RemotePort}.");
        if (HealthPort is < 0 or > 65535) throw new ArgumentException($"HealthPort must be 0 to 65535, not {HealthPort}.");
        if (MaxAttemptsForIdempotentTools < 1) throw new ArgumentException("MaxAttemptsForIdempotentTools must be at least 1.");
        ArgumentException.ThrowIfNullOrWhiteSpace(Hostname);
        foreach (var seed in SeedNodes)
        {
            if (!seed.StartsWith("akka.tcp://", StringComparison.Ordinal) || !seed.Contains('@', StringComparison.Ordinal))
                throw new ArgumentException($"Seed node '{seed}' must look like akka.tcp://SYSTEM@HOST:PORT.");
        }
    }
}
