using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Pmcp.Actors.Tools;

namespace Pmcp.Actors.Hosting;

public static class McpServiceCollectionExtensions
{
    /// <summary>
    /// Registers an MCP server: its description (name, version, tools) from <paramref name="configure"/>, its options
    /// (<c>services.Configure&lt;McpServerOptions&gt;</c> or <paramref name="options"/>), and the shutdown drain.
    /// Then add <c>.WithMcpServer()</c> to the ActorSystem and map the endpoint with <c>MapMcpWebSocket()</c>.
    /// </summary>
    public static IServiceCollection AddMcpServer(this IServiceCollection services, Action<McpServerBuilder> configure, Action<McpServerOptions>? options = null)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var builder = new McpServerBuilder();
        configure(builder);
        var definition = builder.Build();
        // Validated when the host starts (and whenever the options are first read): a bad value is an
        // OptionsValidationException at start that names it, not a failure at the first connection.
        services.AddOptions<McpServerOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<McpServerOptions>, McpServerOptionsValidator>());
        if (options is not null) services.Configure(options);
        services.AddSingleton(definition);
        services.AddMetrics(); // the host's IMeterFactory (a web host has one already)
        services.TryAddSingleton<Diagnostics.McpMetrics>();
        services.AddSingleton(sp =>
        {
            var opts = sp.GetRequiredService<IOptions<McpServerOptions>>().Value; // validated by McpServerOptionsValidator
            return new McpServerRuntime(definition, opts, sp.GetRequiredService<Akka.Hosting.ActorRegistry>())
            {
                Metrics = sp.GetRequiredService<Diagnostics.McpMetrics>(),
            };
        });
        services.AddSingleton<IHostedService, McpShutdownService>();
        return services.AddMcpEndpointServices();
    }

    /// <summary>
    /// What <c>MapMcp</c> needs beside a registered <see cref="McpServerRuntime"/>: the transports' view of it, and the
    /// services of the endpoint's own upgrade rate limiter (the app's own policies are untouched). The TestKit, which
    /// registers its runtime itself, calls it too.
    /// </summary>
    internal static IServiceCollection AddMcpEndpointServices(this IServiceCollection services)
    {
        services.AddSingleton(sp => sp.GetRequiredService<McpServerRuntime>().Endpoint);
        services.AddRateLimiter(_ => { });
        return services;
    }
}
