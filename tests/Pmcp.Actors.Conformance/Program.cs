using System.Net;
using Akka.Hosting;
using Pmcp.Actors.Conformance;
using Pmcp.Actors.Hosting;
using Pmcp.Actors.Tasks;
using Pmcp.Actors.Transport;

// The server the official MCP conformance suite (npm @modelcontextprotocol/conformance) runs against: this library,
// served over Streamable HTTP (and WebSocket) at /mcp, with the fixtures the suite's server scenarios call.
//   dotnet run --project tests/Pmcp.Actors.Conformance -- --port 0
// prints "listening on http://127.0.0.1:PORT/mcp" once it accepts requests.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Configuration.AddCommandLine(args, new Dictionary<string, string> { ["--port"] = "port", ["--host"] = "host", ["--data"] = "data" });
var host = builder.Configuration["host"] ?? "127.0.0.1";
var port = builder.Configuration.GetValue("port", 3000);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.WebHost.UseKestrel(k => k.Listen(host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(host), port));
var triggers = new ListChangeTriggers();
builder.Services.AddMcpServer(
    mcp => triggers.AddTo(mcp.Name("pmcp-actors-conformance").Version("1.0.0").AddConformanceFixtures()),
    options =>
    {
        // test_tool_with_progress reports 0, 50 and 100 about 50 ms apart; the default pacing (one per 100 ms) would
        // drop the middle one, and the scenario counts three.
        options.ProgressInterval = TimeSpan.Zero;
        options.DrainTimeout = TimeSpan.FromSeconds(2);
    });
// Tasks (the tasks-* scenarios) kept in a SQLite file of this run's own, so that runs side by side share nothing.
var tasks = new McpTaskOptions
{
    DataFolder = builder.Configuration["data"] ?? Path.Combine(Path.GetTempPath(), $"pmcp-conformance-{Environment.ProcessId}"),
    PollInterval = TimeSpan.FromMilliseconds(200),
};
if (await TaskStore.CheckAsync(tasks) is { } unavailable)
{
    Console.Error.WriteLine("error: " + unavailable);
    return TaskStore.UnavailableExitCode;
}
builder.Services.AddAkka("conformance", (akka, _) => akka.WithMcpServer().WithMcpTasks(tasks));

var app = builder.Build();
triggers.Runtime = app.Services.GetRequiredService<McpServerRuntime>();
app.MapMcp();
await app.StartAsync();
Console.WriteLine($"listening on http://{host}:{new Uri(app.Urls.First()).Port}/mcp");
await app.WaitForShutdownAsync();
return 0;
