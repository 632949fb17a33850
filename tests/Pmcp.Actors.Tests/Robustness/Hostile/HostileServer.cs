using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Pmcp.Actors.Tests.Support;
using Pmcp.Protocol;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Robustness.Hostile;

/// <summary>
/// The probes run one at a time, apart from every other test: they measure the process's memory and threads, and their
/// canary's latency, which parallel tests would move.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HostileCollection
{
    public const string Name = "hostile clients";
}

/// <summary>
/// The server the probes attack: the demo tools, a <c>count</c> tool that records whether it ran, the default MCP
/// options, and Kestrel's slow-peer limits shortened from their defaults (request headers within 30 s, bodies at 240
/// bytes/s after a 5 s grace) so that a probe of them takes seconds. The bound is Kestrel's either way.
/// </summary>
public sealed class HostileServer : IAsyncLifetime
{
    public static readonly TimeSpan HeadersTimeout = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan BodyGracePeriod = TimeSpan.FromSeconds(2);

    private int _counted;

    internal TestServer Server { get; private set; } = null!;

    /// <summary>How many times the <c>count</c> tool ran.</summary>
    public int Counted => Volatile.Read(ref _counted);

    public async Task InitializeAsync() => Server = await TestServer.StartAsync(
        mcp => mcp.Tool("count", (_, _) =>
        {
            Interlocked.Increment(ref _counted);
            return Task.FromResult(CallToolResult.Text("counted"));
        }),
        configureHost: host => host.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.RequestHeadersTimeout = HeadersTimeout;
            k.Limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: BodyGracePeriod);
        }));

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

internal static class Probe
{
    // Calls each canary session makes before the probe starts and again after it ends (about a quarter of a second).
    private const int CanaryCalls = 5;

    /// <summary>
    /// Runs <paramref name="probe"/> beside a <see cref="Canary"/>, which must lose no call, then checks that the
    /// process's memory and threads come back near where they were before.
    /// </summary>
    public static async Task BesideCanaryAsync(TestServer server, ITestOutputHelper output, Func<Task> probe, (string Name, string Value)? canaryHeader = null, System.Net.IPAddress? canaryFrom = null)
    {
        var before = ResourceGauge.Now();
        using var gc = new GcGauge();
        var canary = await Canary.StartAsync(server, canaryHeader, canaryFrom);
        try
        {
            // The canary calls before, during and after the probe: a probe that broke the server for a moment is seen.
            await canary.MoreCallsAsync(CanaryCalls);
            await probe();
            await canary.MoreCallsAsync(CanaryCalls);
            output.WriteLine(gc.Summary);
            try
            {
                await canary.StopAndAssertAsync();
            }
            finally
            {
                output.WriteLine(canary.Summary); // a slow canary's figures too
            }
        }
        finally
        {
            await canary.DisposeAsync();
        }
        await before.AssertBackAsync(output.WriteLine);
    }

    /// <summary>
    /// The status of a ping in a 2025 HTTP <paramref name="session"/>; null when the ping's own POST was aborted, as every
    /// POST a session is answering is when it is cut for the bytes it holds (docs/outcomes.md): a ping sent at that moment
    /// sees its connection reset, and the next one 404.
    /// </summary>
    public static async Task<System.Net.HttpStatusCode?> StatusOfPingAsync(McpHttpTestClient session)
    {
        try
        {
            using var response = await session.PostAsync(session.Request("ping"));
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }
}
