using System.Collections.Concurrent;
using System.Net;
using Akka.Actor;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;
using Akka.Event;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pmcp.Actors.Hosting;
using Pmcp.Actors.Tests.Support;
using Pmcp.Actors.Transport;

namespace Pmcp.Actors.Tests.Loopback;

public sealed class HostLoggingTests
{
    [Fact]
    public async Task WithMcpServer_RoutesAkkasLogThroughTheHostsLogging()
    {
        // A host app that configures nothing of Akka's logging, as README's embedding example: Akka's own log lines must
        // reach the host's ILoggerProvider (and so its log configuration), not only Akka's raw stdout logger.
        var captured = new CapturingLoggerProvider();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders().AddProvider(captured);
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddMcpServer(mcp => mcp.Name("logs"));
        builder.Services.AddAkka("host-logging", (akka, _) => akka.WithMcpServer());

        await using var app = builder.Build();
        app.MapMcp();
        await app.StartAsync().Within(TimeSpan.FromSeconds(30), "the host app to start");
        try
        {
            var marker = "akka-log-" + Guid.NewGuid().ToString("N");
            app.Services.GetRequiredService<ActorSystem>().Log.Warning(marker);
            await Deadline.UntilAsync(() => Task.FromResult(captured.Lines.Any(l => l.Contains(marker, StringComparison.Ordinal))),
                () => "Akka's warning to reach the host's logger; it saw: " + string.Join(" | ", captured.Lines.Take(10)));
        }
        finally
        {
            await app.StopAsync().Within(TimeSpan.FromSeconds(20), "the host app to stop");
        }
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)}");
        }
    }
}
