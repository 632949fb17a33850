using Akka.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Pmcp.Actors.Runtime;

namespace Pmcp.Actors.Hosting;

/// <summary>
/// Readiness of an MCP server for a load balancer: healthy once its server actor runs and until the host starts
/// stopping (the drain has begun: new sessions are refused, so traffic should go elsewhere).
/// <c>services.AddHealthChecks().AddCheck&lt;McpServerReadyCheck&gt;("mcp-server", tags: ["ready"])</c>.
/// </summary>
public sealed class McpServerReadyCheck(ActorRegistry registry, IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (lifetime.ApplicationStopping.IsCancellationRequested)
            return Task.FromResult(HealthCheckResult.Unhealthy("the server is draining"));
        return Task.FromResult(registry.TryGet<McpServerActor>(out _)
            ? HealthCheckResult.Healthy("serving")
            : HealthCheckResult.Unhealthy("the MCP actors have not started"));
    }
}
