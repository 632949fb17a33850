using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Pmcp.Actors.Tests.Tasks.PostgreSql;

/// <summary>
/// A private PostgreSQL server for the tests of the PostgreSQL task store: a cluster made with <c>initdb</c> in a temp
/// folder, started with <c>pg_ctl</c> on a free loopback port (its socket in the same folder, so it meets no system
/// server), stopped and deleted on dispose. One instance serves every test of the collection; each test makes its own
/// database (<see cref="CreateDatabaseAsync"/>). It fails, never skips, when PostgreSQL cannot start: CI installs it
/// (.ci/run). initdb refuses to run as root, so as root every PostgreSQL command runs as the user <c>postgres</c>.
/// </summary>
public sealed class PostgreSqlServer : IAsyncLifetime
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);

    // Under /tmp, not the user's temp folder: the postgres user must be able to reach it.
    private readonly string _root = Path.Combine("/tmp", "pmcp-pg-tests-" + Guid.NewGuid().ToString("N"));
    private string _bin = "";
    private string DataFolder => Path.Combine(_root, "data");

    public int Port { get; private set; }

    /// <summary>A connection string to <paramref name="database"/> as the superuser (trust authentication, no password).</summary>
    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port.ToString(CultureInfo.InvariantCulture)};Username=postgres;Database={database}";

    /// <summary>A new, empty database of the test's own; its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "tasks_" + Guid.NewGuid().ToString("N");
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    public async Task InitializeAsync()
    {
        _bin = FindBin() ?? throw new InvalidOperationException("PostgreSQL is not installed: no initdb on PATH or under /usr/lib/postgresql/*/bin (apt-get install postgresql; .ci/run does).");
        Directory.CreateDirectory(_root);
        if (AsRoot) await RunAsync("chown", ["-R", "postgres:postgres", _root]);
        await RunPostgresAsync("initdb", ["-D", DataFolder, "--auth=trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]);
        // A free port can be taken by someone else before the server binds it: a few tries, each on a new one.
        for (var attempt = 1; ; attempt++)
        {
            Port = FreePort();
            try
            {
                await RunPostgresAsync("pg_ctl", ["-D", DataFolder, "-l", Path.Combine(_root, "server.log"), "-w", "-t", "120",
                    "-o", $"-p {Port} -k {_root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", "start"]);
                return;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
            }
        }
    }

    public async Task DisposeAsync()
    {
        try
        {
            if (Port != 0) await RunPostgresAsync("pg_ctl", ["-D", DataFolder, "-m", "immediate", "stop"]);
        }
        finally
        {
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
                // the temp folder is the system's to clean
            }
        }
    }

    private static bool AsRoot => Environment.UserName == "root";

    private Task RunPostgresAsync(string tool, IReadOnlyList<string> args) =>
        AsRoot ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, tool), .. args]) : RunAsync(Path.Combine(_bin, tool), args);

    private async Task RunAsync(string file, IReadOnlyList<string> args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = "/tmp" };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(CommandTimeout);
        if (process.ExitCode != 0)
        {
            var log = Path.Combine(_root, "server.log");
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {process.ExitCode}: {await stdout}{await stderr}"
                + (File.Exists(log) ? "\nserver.log: " + await File.ReadAllTextAsync(log) : ""));
        }
    }

    private static string? FindBin()
    {
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            if (File.Exists(Path.Combine(folder, "initdb")) && File.Exists(Path.Combine(folder, "pg_ctl"))) return folder;
        }
        return Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(version => Path.Combine(version, "bin"))
                .Where(bin => File.Exists(Path.Combine(bin, "initdb")))
                .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var major) ? major : 0)
                .FirstOrDefault()
            : null;
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}

/// <summary>The tests that share one private PostgreSQL server (<see cref="PostgreSqlServer"/>).</summary>
[CollectionDefinition(Name)]
public sealed class PostgreSqlCollection : ICollectionFixture<PostgreSqlServer>
{
    public const string Name = "PostgreSQL";
}
