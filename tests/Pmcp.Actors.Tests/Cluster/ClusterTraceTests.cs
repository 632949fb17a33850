using System.Collections.Concurrent;
using System.Diagnostics;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Diagnostics;
using Pmcp.Actors.Tests.Support;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Cluster;

/// <summary>A traced call that a gateway sends to a tools node continues its trace there: one trace, end to end.</summary>
public sealed class ClusterTraceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task CallRunOnAToolsNode_IsAChildSpanOfTheGatewaysServerSpan_InTheClientsTrace()
    {
        using var trace = new TraceRecorder();
        var (traceId, clientSpanId, spans) = (trace.TraceId, trace.ClientSpanId, trace.Spans);
        await using var nodes = await ClusterNodes.StartAsync(toolNodes: 1, output);
        await using var client = await nodes.Gateway.ConnectAsync();

        var answer = await client.RequestAsync("tools/call", new JObject
        {
            ["name"] = "where",
            ["arguments"] = new JObject { ["ms"] = 10 },
            ["_meta"] = new JObject { ["traceparent"] = $"00-{traceId}-{clientSpanId}-01", ["tracestate"] = "vendor=1" },
        }, ClusterNodes.ClusterDeadline);
        Assert.Equal("tools-1", answer.ToolText()); // the gateway runs no tools: the call crossed to the tools node

        await Deadline.UntilAsync(() => Task.FromResult(spans.Count >= 2),
            () => $"the gateway's and the tools node's spans; saw: {string.Join(", ", spans.Select(s => s.DisplayName))}");
        var server = Assert.Single(spans, s => s.Kind == ActivityKind.Server);
        Assert.Equal("tools/call where", server.DisplayName);
        Assert.Equal(clientSpanId, server.ParentSpanId);

        var onToolsNode = Assert.Single(spans, s => s.Kind == ActivityKind.Internal);
        Assert.Equal("execute_tool where", onToolsNode.DisplayName);
        Assert.Equal(server.SpanId, onToolsNode.ParentSpanId);
        Assert.True(onToolsNode.HasRemoteParent, "the parent came from another node");
        Assert.Equal("vendor=1", onToolsNode.TraceStateString);
        Assert.Equal("where", onToolsNode.GetTagItem(McpTelemetryNames.ToolName));
    }
}
