using System.Diagnostics.Metrics;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using Pmcp.Actors.Benchmarks.Load;
using Pmcp.Actors.Diagnostics;
using Pmcp.Actors.Session;
using Pmcp.Protocol;

namespace Pmcp.Actors.Benchmarks.Micro;

/// <summary>
/// What the server's request telemetry adds to one <c>tools/call echo</c> (taken, then answered), with nothing
/// listening and with an OpenTelemetry meter provider aggregating <c>mcp.server.operation.duration</c> as the
/// standalone server's does: the per-call part of the metrics-cost A/B, without the noise of sockets and actors.
/// </summary>
[MemoryDiagnoser]
public class TelemetryBenchmarks
{
    private JsonRpcMessage _request = null!;
    private RequestId _id;
    private string _responseJson = "";
    private RequestTelemetry _silent = null!;
    private RequestTelemetry _measured = null!;
    private ServiceProvider _services = null!;
    private MeterProvider _meterProvider = null!;

    [GlobalSetup]
    public void Setup()
    {
        _ = JsonRpcMessage.TryParse(Encoding.UTF8.GetString(McpFrames.Call(42)), out var message, out _, out _);
        _request = message!;
        _id = _request.Id!.Value;
        _responseJson = JsonRpcWriter.ResultRaw(_id, "{\"content\":[{\"type\":\"text\",\"text\":\"hello\"}]}");
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        _meterProvider = Sdk.CreateMeterProviderBuilder().AddMeter(McpTelemetryNames.SourceName)
            .AddReader(new PeriodicExportingMetricReader(new NoExport(), exportIntervalMilliseconds: 60_000)).Build();
        _silent = new RequestTelemetry(null, "websocket");
        _measured = new RequestTelemetry(new McpMetrics(_services.GetRequiredService<IMeterFactory>()), "websocket");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _meterProvider.Dispose();
        _services.Dispose();
    }

    [Benchmark(Baseline = true, Description = "request telemetry, nothing listening")]
    public void Silent()
    {
        _silent.Started(_id, _request);
        _silent.Answered(_id, _responseJson, "2025-11-25");
    }

    [Benchmark(Description = "request telemetry, OpenTelemetry metrics on")]
    public void Measured()
    {
        _measured.Started(_id, _request);
        _measured.Answered(_id, _responseJson, "2025-11-25");
    }

    private sealed class NoExport : BaseExporter<Metric>
    {
        public override ExportResult Export(in Batch<Metric> batch) => ExportResult.Success;
    }
}
