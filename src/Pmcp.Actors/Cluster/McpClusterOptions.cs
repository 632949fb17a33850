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
    /// Seed nodes, <c>akka.tcp://SYSTEM@HOST:PORT</c> (<c>akka.ssl.tcp://</c> with TLS between nodes), where SYSTEM is the ActorSystem's name, the same on every node
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

    /// <summary>
    /// TLS between nodes: this node's certificate as a PFX file (with <see cref="TlsCertificatePassword"/>). Unset, with
    /// <see cref="TlsCertificateThumbprint"/> unset too, Akka.Remote is plain TCP (the default). Every node of a cluster
    /// must have TLS on, or none: a plain node cannot talk to a TLS one.
    /// </summary>
    public string? TlsCertificatePath { get; set; }

    public string? TlsCertificatePassword { get; set; }

    /// <summary>TLS between nodes with a certificate from the store instead of a file: its thumbprint, in the <c>My</c> store of <see cref="TlsCertificateStore"/>.</summary>
    public string? TlsCertificateThumbprint { get; set; }

    public System.Security.Cryptography.X509Certificates.StoreLocation TlsCertificateStore { get; set; } = System.Security.Cryptography.X509Certificates.StoreLocation.CurrentUser;

    /// <summary>
    /// Thumbprints of the other certificates a peer may show (a node accepts its own certificate always). Empty: every node
    /// uses the same certificate. A peer with any other certificate, however it is signed, cannot connect.
    /// </summary>
    public List<string> TlsTrustedThumbprints { get; set; } = [];

    /// <summary>True when TLS between nodes is on: a certificate file or thumbprint is given.</summary>
    public bool UsesTls => !string.IsNullOrWhiteSpace(TlsCertificatePath) || !string.IsNullOrWhiteSpace(TlsCertificateThumbprint);

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
        // With TLS between nodes, Akka.Remote names addresses akka.ssl.tcp://; the scheme must match or the seed is never reached.
        var scheme = UsesTls ? "akka.ssl.tcp://" : "akka.tcp://";
        foreach (var seed in SeedNodes)
        {
            if (!seed.StartsWith(scheme, StringComparison.Ordinal) || !seed.Contains('@', StringComparison.Ordinal))
                throw new ArgumentException($"Seed node '{seed}' must look like {scheme}SYSTEM@HOST:PORT{(UsesTls ? " (TLS between nodes is on)" : "")}.");
        }
        foreach (var thumbprint in TlsTrustedThumbprints)
        {
            if (ClusterTls.Normalize(thumbprint).Length != 40) throw new ArgumentException($"TlsTrustedThumbprints: '{thumbprint}' is not a certificate thumbprint (40 hex digits).");
        }
        ClusterTls.LoadCertificate(this)?.Dispose(); // a certificate that cannot be used is bad input now, not a node that never joins
    }
}
