using System.ComponentModel;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Server;

namespace Pmcp.Actors.Benchmarks.Servers;

/// <summary>
/// The official C# SDK (ModelContextProtocol.AspNetCore) serving the same echo tool over Streamable HTTP at <c>/mcp</c>.
/// <paramref name="stateful"/> false is the SDK's own default (stateless: no Mcp-Session-Id).
/// </summary>
internal static class SdkServer
{
    public static async Task<int> RunAsync(string host, int port, bool stateful)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k =>
        {
            k.Listen(IPAddress.Parse(host), port);
            k.Limits.MaxConcurrentConnections = null;
        });
        builder.Services.AddMcpServer(o => o.ServerInfo = new() { Name = "csharp-sdk", Version = Harness.Machine.Version(typeof(HttpServerTransportOptions)) })
            .WithHttpTransport(o => o.SessionMode = stateful ? HttpServerSessionMode.Stateful : HttpServerSessionMode.Stateless)
            .WithTools<EchoTool>();
        var app = builder.Build();
        app.MapMcp("/mcp");
        await app.StartAsync().ConfigureAwait(false);
        Console.WriteLine($"listening on http://{host}:{new Uri(app.Urls.First()).Port}/mcp");
        await app.WaitForShutdownAsync().ConfigureAwait(false);
        return 0;
    }
}

[McpServerToolType]
public sealed class EchoTool
{
    [McpServerTool(Name = "echo"), Description("Returns its text unchanged.")]
    public static string Echo([Description("The text to send back.")] string text) => text;
}
