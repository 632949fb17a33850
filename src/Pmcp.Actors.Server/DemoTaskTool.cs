using Newtonsoft.Json.Linq;
using Pmcp.Actors.Tasks;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;

namespace Pmcp.Actors.Server;

/// <summary>The standalone server's demo of tasks: a slow tool that a client may run as a task and collect later.</summary>
public static class DemoTaskTool
{
    public static McpServerBuilder AddDemoTaskTool(this McpServerBuilder builder) => builder.Tool(
        new McpToolDefinition("report", JObject.Parse("""
            {"type":"object","properties":{"seconds":{"type":"integer","minimum":0,"maximum":3600,"description":"How long the report takes."}}}
            """), ReportAsync)
        {
            Description = "Builds a report for the given seconds (0 to 3600). Runs as a task when the client takes one: ask for it, collect it later.",
            TaskSupport = TaskSupport.Optional,
            Idempotent = true,
        });

    private static async Task<CallToolResult> ReportAsync(JObject args, ToolContext context)
    {
        var seconds = args["seconds"] is { Type: JTokenType.Integer } value ? Math.Clamp((int)value, 0, 3600) : 5;
        await Task.Delay(TimeSpan.FromSeconds(seconds), context.CancellationToken).ConfigureAwait(false);
        return CallToolResult.Text($"Report ready after {seconds} s.");
    }
}
