using System.Net;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Pmcp.Actors.Diagnostics;

namespace Pmcp.Actors.Server;

/// <summary>
/// What an operator watches: the MCP metrics (OpenTelemetry's conventions for MCP, plus sessions, calls in flight,
/// drops and rate-limit refusals) in Prometheus text at <c>GET /metrics</c> on a port of its own, traces and metrics
/// to an OTLP collector when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, and <c>/healthz/live</c> and <c>/healthz/ready</c>.
/// Configured under <c>Pmcp:Telemetry</c>: <c>Enabled</c> (default true) and <c>MetricsPort</c> (default 9464; 0 picks
/// a free one). The metrics port serves nothing else.
/// </summary>
internal sealed class ServerTelemetry
{
    public const int DefaultMetricsPort = 9464;

    private readonly IPAddress _address;
    private readonly int _configuredPort;
    private int _boundPort;

    private ServerTelemetry(IPAddress address, int port)
    {
        _address = address;
        _configuredPort = port;
        _boundPort = port;
    }

    /// <summary>The metrics port once the server listens (the configured one, or the one picked for 0).</summary>
    public int MetricsPort => _boundPort;

    /// <summary>Adds OpenTelemetry (meter and activity source of the server, the exporters) and a listener for the metrics port; null when <c>Pmcp:Telemetry:Enabled</c> is false.</summary>
    public static ServerTelemetry? AddTo(WebApplicationBuilder builder, IConfigurationSection telemetry, IPAddress address, string serviceName)
    {
        if (!telemetry.GetValue("Enabled", true)) return null;
        var self = new ServerTelemetry(address, telemetry.GetValue("MetricsPort", DefaultMetricsPort));
        var otlp = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"));
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName, serviceVersion: McpMetrics.Version))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(McpTelemetryNames.SourceName).AddPrometheusExporter();
                if (otlp) metrics.AddOtlpExporter();
            });
        if (otlp) otel.WithTracing(tracing => tracing.AddSource(McpTelemetryNames.SourceName).AddOtlpExporter());
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(self._address, self._configuredPort));
        return self;
    }

    /// <summary>Serves <c>/metrics</c> on the metrics port, and answers 404 there for anything else.</summary>
    public void MapEndpoints(WebApplication app)
    {
        app.UseWhen(OnMetricsPort, branch =>
        {
            branch.UseOpenTelemetryPrometheusScrapingEndpoint();
            branch.Run(context =>
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            });
        });
    }

    /// <summary>Reads the port the metrics listener got (for 0) once the server has started.</summary>
    public void ReadBoundPort(WebApplication app)
    {
        if (_configuredPort != 0) return;
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var ports = addresses.Select(a => new Uri(a).Port).ToList();
        // Kestrel lists its listeners in the order they were added: the MCP port first when there is one, this one last.
        if (ports.Count > 0) _boundPort = ports[^1];
    }

    private bool OnMetricsPort(HttpContext context) => context.Connection.LocalPort == _boundPort;

    /// <summary>Liveness: the ActorSystem runs (the check Akka.Hosting registers). Readiness: started and not stopping.</summary>
    public static void MapHealth(WebApplication app)
    {
        app.MapHealthChecks("/healthz/live", new HealthCheckOptions { Predicate = check => check.Tags.Contains("liveness") });
        app.MapHealthChecks("/healthz/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
    }
}
