using System.Net;
using Akka.Hosting;
using Pmcp.Actors;
using Pmcp.Actors.Hosting;
using Pmcp.Actors.Security;
using Pmcp.Actors.Server;
using Pmcp.Actors.Transport;

// The standalone multi-client MCP server. Configuration: appsettings.json beside the binary (config/appsettings.json
// in the repo), then an optional --config FILE, then environment variables (PMCP__PORT=...), then the command line
// (--host H, --port N, or any key as --Pmcp:Server:MaxConnections=...).
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory,
});

var extraConfig = builder.Configuration["config"];
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
});

var pmcp = builder.Configuration.GetSection("Pmcp");
var host = pmcp["Host"] ?? "127.0.0.1";
var port = pmcp.GetValue("Port", 9001);
var options = pmcp.GetSection("Server").Get<McpServerOptions>() ?? new McpServerOptions();

// TLS: a PFX certificate from Pmcp:Tls:CertificatePath (+ Password) serves wss:// instead of ws://.
var certificatePath = pmcp["Tls:CertificatePath"];
var tls = !string.IsNullOrEmpty(certificatePath);
builder.WebHost.UseKestrel(k => k.Listen(ParseAddress(host), port, listen =>
{
    if (tls) listen.UseHttps(Path.GetFullPath(certificatePath!), pmcp["Tls:Password"]);
}));
builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = options.DrainTimeout + options.CloseTimeout + TimeSpan.FromSeconds(5));
builder.Services.Configure<McpServerOptions>(pmcp.GetSection("Server"));
builder.Services.AddMcpServer(mcp =>
{
    mcp.Name(pmcp["Name"] ?? "pmcp-actors").Instructions(pmcp["Instructions"]);
    if (pmcp["Version"] is { } version) mcp.Version(version);
    if (pmcp.GetValue("DemoTools", true)) mcp.AddDemoTools().AddDemoFeatures();
});
// Bearer tokens from Pmcp:Auth:Tokens (objects: Token, Name, Roles, Scopes) and PMCP_AUTH_TOKENS (a plain list,
// separated by commas or whitespace). None configured: no authentication.
var tokens = pmcp.GetSection("Auth:Tokens").Get<List<McpBearerToken>>() ?? [];
var envTokens = Environment.GetEnvironmentVariable("PMCP_AUTH_TOKENS")?
    .Split([',', ' ', '\n', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries) ?? [];
tokens.AddRange(envTokens.Select((t, i) => new McpBearerToken { Token = t, Name = $"env-token-{i + 1}" }));
var authenticate = tokens.Count > 0;
if (authenticate) builder.Services.AddMcpBearerTokenAuthentication(tokens);

builder.Services.AddAkka("pmcp", (akka, _) => akka
    .ConfigureLoggers(loggers => loggers.AddLoggerFactory())
    .WithMcpServer());

var app = builder.Build();
if (authenticate)
{
    app.UseAuthentication();
    app.UseAuthorization();
}
var endpoint = app.MapMcp(); // WebSocket and Streamable HTTP on the same path
if (authenticate) endpoint.RequireAuthorization();
else if (!IsLoopback(host))
    Console.Error.WriteLine($"warning: listening on {host} without authentication: set Pmcp:Auth:Tokens or PMCP_AUTH_TOKENS");
await app.StartAsync();

var address = new Uri(app.Urls.First());
Console.WriteLine($"listening on {(tls ? "wss" : "ws")}://{host}:{address.Port}{options.Path}");
Console.WriteLine($"listening on {(tls ? "https" : "http")}://{host}:{address.Port}{options.Path}");
await app.WaitForShutdownAsync();
return 0;

static bool IsLoopback(string host) => host == "localhost" || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));

static IPAddress ParseAddress(string host) => host switch
{
    "localhost" => IPAddress.Loopback,
    "*" or "+" => IPAddress.Any,
    _ => IPAddress.TryParse(host, out var ip) ? ip : throw new ArgumentException($"--host must be an IP address or localhost, not '{host}'."),
};
