namespace Pmcp.Actors.Tasks;

/// <summary>
/// Where and how long tasks are kept (bound from <c>Pmcp:Tasks</c> by the standalone server). Each task is an actor found
/// by its id through Akka.Cluster.Sharding, and its state and result are kept by Akka.Persistence in a SQL store: by
/// default a SQLite file under <see cref="DataFolder"/>, created on first start.
/// </summary>
public sealed class McpTaskOptions
{
    /// <summary>Run tasks at all. Off: <c>WithMcpTasks</c> adds nothing, and every tool call is an ordinary call.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The folder of the embedded SQLite store (<c>tasks.db</c>), created when missing. Ignored when <see cref="ConnectionString"/> is set.</summary>
    public string DataFolder { get; set; } = "data";

    /// <summary>A connection string to a PostgreSQL or SQL Server database instead of the SQLite file (<see cref="Provider"/> says which).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The store behind <see cref="ConnectionString"/>: <c>PostgreSQL</c>, <c>SqlServer</c> or <c>SQLite</c>.</summary>
    public string Provider { get; set; } = "SQLite";

    /// <summary>How long a task is kept after it is created when the client names no TTL (or a longer one than <see cref="MaxTtl"/>).</summary>
    public TimeSpan DefaultTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The longest TTL a client may ask for.</summary>
    public TimeSpan MaxTtl { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How often a client is told to poll <c>tasks/get</c> (<c>pollIntervalMs</c>).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest a task's tool may run (a tool's own <c>Timeout</c> wins); then the task fails as timed out.</summary>
    public TimeSpan MaxRunTime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a request waits for the task store (create, get, cancel, update) before it is answered with an error.</summary>
    public TimeSpan StoreTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first value that cannot be used.</summary>
    public void Validate()
    {
        if (DefaultTtl <= TimeSpan.Zero) throw new ArgumentException($"Tasks:DefaultTtl must be positive, not {DefaultTtl}.");
        if (MaxTtl < DefaultTtl) throw new ArgumentException($"Tasks:MaxTtl ({MaxTtl}) must be at least Tasks:DefaultTtl ({DefaultTtl}).");
        if (PollInterval <= TimeSpan.Zero) throw new ArgumentException($"Tasks:PollInterval must be positive, not {PollInterval}.");
        if (MaxRunTime <= TimeSpan.Zero) throw new ArgumentException($"Tasks:MaxRunTime must be positive, not {MaxRunTime}.");
        if (StoreTimeout <= TimeSpan.Zero) throw new ArgumentException($"Tasks:StoreTimeout must be positive, not {StoreTimeout}.");
        if (ConnectionString is null) ArgumentException.ThrowIfNullOrWhiteSpace(DataFolder, "Tasks:DataFolder");
        if (TaskStore.KindFor(Provider) is null)
            throw new ArgumentException($"Tasks:Provider must be one of {string.Join(", ", TaskStore.Providers)}, not '{Provider}'.");
    }
}
