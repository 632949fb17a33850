using System.Net;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting.Server;
using Pmcp.Actors;
using Pmcp.Actors.Cluster;
using Pmcp.Actors.Hosting;
using Pmcp.Actors.Tasks;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using Pmcp.Actors.Security;
using Pmcp.Actors.Server;
using Pmcp.Actors.Transport;

// The standalone multi-client MCP server. Configuration: appsettings.json beside the binary (config/appsettings.json
// in the repo), then an optional --config FILE, then environment variables (PMCP__PORT=...), then the command line
// (--host H, --port N, or any key as --Pmcp:Server:MaxConnections=...).
// A cluster (README, "Cluster"): --role gateway|tools|both, --remote-port N, --seed-nodes akka.tcp://pmcp@HOST:PORT[,...].
// A configuration that cannot be used is bad input: one line naming the key, the value and what is allowed, and exit
// code 2 (README, "Outcomes"); never a stack trace. Unknown keys under Pmcp are warned about, one line each.
// On a Linux machine that hides its CPU cache the GC collects far too often; this may start the process again in place
// with a gen0 budget, so it comes before anything else (Gen0Budget.cs).
Gen0Budget.RestartWithBudgetIfNeeded();

WebApplicationBuilder builder;
try
{
    builder = WebApplication.CreateBuilder(new WebApplicationOptions
    {
        Args = args,
        ContentRootPath = AppContext.BaseDirectory,
    });

    var extraConfig = builder.Configuration["config"];
    if (ConfigurationCheck.CheckConfigFile(extraConfig) is { } missing) return ConfigurationError(missing);
    if (extraConfig is not null)
    {
        builder.Configuration.AddJsonFile(Path.GetFullPath(extraConfig), optional: false);
        builder.Configuration.AddEnvironmentVariables(); // keep the documented order: file, --config file, environment, command line
    }
    builder.Configuration.AddCommandLine(args, new Dictionary<string, string>
    {
        ["--host"] = "Pmcp:Host",
        ["--port"] = "Pmcp:Port",
        ["--config"] = "config",
        ["--role"] = "Pmcp:Cluster:Role",
        ["--remote-port"] = "Pmcp:Cluster:RemotePort",
        ["--seed-nodes"] = "Pmcp:Cluster:SeedNodes",
    });
}
catch (InvalidDataException ex)
{
    // A settings file that is not JSON: the message names the file, the innermost exception the place.
    return ConfigurationError($"{ex.Message.TrimEnd('.')}: it must be JSON ({ex.GetBaseException().Message})");
}
catch (FormatException ex)
{
    return ConfigurationError($"the command line cannot be read: {ex.Message} Give settings as --key value or --Pmcp:Server:Key=value.");
}
if (ConfigurationCheck.Check(builder.Configuration, Console.Error.WriteLine) is { } configurationError)
    return ConfigurationError(configurationError);

var pmcp = builder.Configuration.GetSection("Pmcp");
var host = pmcp["Host"] ?? "127.0.0.1";
var port = pmcp.GetValue("Port", 9001);
var options = pmcp.GetSection("Server").Get<McpServerOptions>() ?? new McpServerOptions();
var cluster = ClusterOptions(pmcp.GetSection("Cluster"));
// Tasks (README, "Tasks"): on unless Pmcp:Tasks:Enabled is false; kept in data/tasks.db beside the server unless
// Pmcp:Tasks:DataFolder or a ConnectionString says otherwise. A store that cannot be opened, or (single node) a SQLite
// file another running server holds, ends the start here: one line, exit code 3.
var tasks = pmcp.GetSection("Tasks").Get<McpTaskOptions>() ?? new McpTaskOptions();
if (pmcp["Tasks:DataFolder"] is null) tasks.DataFolder = Path.Combine(AppContext.BaseDirectory, "data");
if (tasks.Enabled)
{
    try
    {
        tasks.Validate();
    }
    catch (ArgumentException ex)
    {
        return ConfigurationError(ex.Message);
    }
    if (await TaskStore.CheckAsync(tasks, cluster) is { } unavailable)
    {
        Console.Error.WriteLine("error: " + unavailable);
        return TaskStore.UnavailableExitCode;
    }
}
var servesSessions = cluster.IsGateway;
var nodeAddress = "this node";

// TLS: a PFX certificate from Pmcp:Tls:CertificatePath (+ Password) serves wss:// instead of ws://.
var certificatePath = pmcp["Tls:CertificatePath"];
var tls = !string.IsNullOrEmpty(certificatePath);
if (servesSessions)
{
    builder.WebHost.UseKestrel(k => k.Listen(ParseAddress(host), port, listen =>
    {
        if (tls) listen.UseHttps(Path.GetFullPath(certificatePath!), pmcp["Tls:Password"]);
    }));
}
else if (cluster.HealthPort > 0)
{
    builder.WebHost.UseKestrel(k => k.Listen(ParseAddress(host), cluster.HealthPort)); // health checks only
}
else
{
    builder.Services.AddSingleton<IServer, NoHttpServer>(); // a tools node without a health port listens on nothing
}
// Health in every mode: liveness (the ActorSystem runs) and readiness (serving, not draining; in a cluster also joined).
var health = builder.Services.AddHealthChecks();
if (servesSessions) health.AddCheck<McpServerReadyCheck>("mcp-server", tags: ["ready"]);
// Metrics and traces (Pmcp:Telemetry): Prometheus text on a port of its own, OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set.
var telemetry = servesSessions || cluster.HealthPort > 0
    ? ServerTelemetry.AddTo(builder, pmcp.GetSection("Telemetry"), ParseAddress(host), pmcp["Name"] ?? "pmcp-actors")
    : null;
builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = options.DrainTimeout + options.CloseTimeout + TimeSpan.FromSeconds(5));
builder.Services.Configure<McpServerOptions>(pmcp.GetSection("Server"));
builder.Services.AddMcpServer(mcp =>
{
    mcp.Name(pmcp["Name"] ?? "pmcp-actors").Instructions(pmcp["Instructions"]);
    if (pmcp["Version"] is { } version) mcp.Version(version);
    if (pmcp.GetValue("DemoTools", true)) mcp.AddDemoTools().AddDemoFeatures();
    if (pmcp.GetValue("DemoTools", true) && tasks.Enabled) mcp.AddDemoTaskTool();
    // In a cluster, a tool that says which node ran the call: calls through one gateway land on every tools node.
    if (cluster.Enabled && pmcp.GetValue("DemoTools", true))
        mcp.Tool(new McpToolDefinition("node", McpToolDefinition.EmptyInputSchema(), (_, _) => Task.FromResult(CallToolResult.Text($"{nodeAddress} (process {Environment.ProcessId})")))
        {
            Description = "Names the cluster node that ran this call.",
            Idempotent = true,
        });
});
// Bearer tokens from Pmcp:Auth:Tokens (objects: Token, Name, Roles, Scopes) and PMCP_AUTH_TOKENS (a plain list,
// separated by commas or whitespace). None configured: no authentication.
var tokens = pmcp.GetSection("Auth:Tokens").Get<List<McpBearerToken>>() ?? [];
var envTokens = Environment.GetEnvironmentVariable("PMCP_AUTH_TOKENS")?
    .Split([',', ' ', '\n', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries) ?? [];
tokens.AddRange(envTokens.Select((t, i) => new McpBearerToken { Token = t, Name = $"env-token-{i + 1}" }));
var authenticate = tokens.Count > 0;
if (authenticate) builder.Services.AddMcpBearerTokenAuthentication(tokens);

builder.Services.AddAkka("pmcp", (akka, _) =>
{
    akka.ConfigureLoggers(loggers => loggers.AddLoggerFactory()).WithMcpServer(cluster).WithMcpTasks(tasks, cluster)
        .AddHocon(SchedulerTick.Hocon, HoconAddMode.Append);
    if (!cluster.Enabled) akka.WithActorSystemLivenessCheck(); // a cluster node gets it (and its readiness) from WithMcpServer
});

var app = builder.Build();
telemetry?.MapEndpoints(app);
ServerTelemetry.MapHealth(app);
if (servesSessions)
{
    if (authenticate)
    {
        app.UseAuthentication();
        app.UseAuthorization();
    }
    var endpoint = app.MapMcp(); // WebSocket and Streamable HTTP on the same path
    if (authenticate) endpoint.RequireAuthorization();
    else if (!IsLoopback(host))
        Console.Error.WriteLine($"warning: listening on {host} without authentication: set Pmcp:Auth:Tokens or PMCP_AUTH_TOKENS");
}
try
{
    await app.StartAsync();
}
catch (Microsoft.Extensions.Options.OptionsValidationException ex)
{
    // The checks above run the same rules first; this catches a rule a source they do not see (code) broke.
    foreach (var failure in ex.Failures) Console.Error.WriteLine("error: invalid configuration: Pmcp:Server:" + failure);
    return ConfigurationCheck.ExitCode;
}

if (cluster.Enabled)
{
    var role = cluster.Role.ToString().ToLowerInvariant();
    var node = Akka.Cluster.Cluster.Get(app.Services.GetRequiredService<ActorSystem>());
    nodeAddress = node.SelfAddress.ToString();
    node.RegisterOnMemberUp(() => Console.WriteLine($"joined cluster as {role} ({node.SelfAddress})"));
}
// The metrics line first: whoever waits for "listening on" has read it by then.
if (telemetry is not null)
{
    telemetry.ReadBoundPort(app);
    Console.WriteLine($"metrics on http://{host}:{telemetry.MetricsPort}/metrics");
}
if (servesSessions)
{
    var address = new Uri(app.Urls.First());
    Console.WriteLine($"listening on {(tls ? "wss" : "ws")}://{host}:{address.Port}{options.Path}");
    Console.WriteLine($"listening on {(tls ? "https" : "http")}://{host}:{address.Port}{options.Path}");
}
await app.WaitForShutdownAsync();
return 0;

static int ConfigurationError(string line)
{
    Console.Error.WriteLine("error: invalid configuration: " + line);
    return ConfigurationCheck.ExitCode;
}

// Pmcp:Cluster, with --seed-nodes as one comma-separated value. Joining a cluster is on when asked for, or when a role
// other than both, a remote port or seed nodes are given.
static McpClusterOptions ClusterOptions(IConfigurationSection section)
{
    var cluster = new McpClusterOptions();
    section.Bind(cluster, o => o.ErrorOnUnknownConfiguration = false);
    var seeds = section.GetSection("SeedNodes");
    cluster.SeedNodes = seeds.Value is { } list
        ? [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]
        : [.. seeds.GetChildren().Select(c => c.Value).OfType<string>()];
    cluster.Enabled |= cluster.Role != McpNodeRole.Both || cluster.RemotePort > 0 || cluster.SeedNodes.Count > 0;
    return cluster;
}

static bool IsLoopback(string host) => host == "localhost" || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));

static IPAddress ParseAddress(string host) => host switch
{
    "localhost" => IPAddress.Loopback,
    "*" or "+" => IPAddress.Any,
    _ => IPAddress.TryParse(host, out var ip) ? ip : throw new ArgumentException($"--host must be an IP address or localhost, not '{host}'."),
};
