using System.Net;
using Akka.Hosting;
using Pmcp.Actors;
using Pmcp.Actors.Hosting;
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

builder.WebHost.UseKestrel(k => k.Listen(ParseAddress(host), port));
builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = options.DrainTimeout + options.CloseTimeout + TimeSpan.FromSeconds(5));
builder.Services.Configure<McpServerOptions>(pmcp.GetSection("Server"));
builder.Services.AddMcpServer(mcp =>
{
    mcp.Name(pmcp["Name"] ?? "pmcp-actors").Instructions(pmcp["Instructions"]);
    if (pmcp["Version"] is { } version) mcp.Version(version);
    if (pmcp.GetValue("DemoTools", true)) mcp.AddDemoTools().AddDemoFeatures();
});
builder.Services.AddAkka("pmcp", (akka, _) => akka
    .ConfigureLoggers(loggers => loggers.AddLoggerFactory())
    .WithMcpServer());

var app = builder.Build();
app.MapMcpWebSocket();
await app.StartAsync();

var address = new Uri(app.Urls.First());
Console.WriteLine($"listening on ws://{host}:{address.Port}{options.Path}");
await app.WaitForShutdownAsync();
return 0;

static IPAddress ParseAddress(string host) => host switch
{
    "localhost" => IPAddress.Loopback,
    "*" or "+" => IPAddress.Any,
    _ => IPAddress.TryParse(host, out var ip) ? ip : throw new ArgumentException($"--host must be an IP address or localhost, not '{host}'."),
};
