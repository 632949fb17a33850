using System.Globalization;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;

namespace Pmcp.Actors.Server;

/// <summary>The tools the standalone server offers out of the box, so any client has something to call.</summary>
public static class DemoTools
{
    public static McpServerBuilder AddDemoTools(this McpServerBuilder builder) => builder
        .Tool("echo", Echo, "Returns its text unchanged.", Schema(("text", "string", "The text to send back.")))
        .Tool("add", Add, "Adds two numbers and returns the sum as text.", Schema(("a", "number", "First addend."), ("b", "number", "Second addend.")))
        .Tool("sleep", SleepAsync, "Waits ms milliseconds, reporting progress when asked; stops at once when cancelled.",
            Schema(("ms", "integer", "How long to wait, 0 to 600000.")));

    private static Task<CallToolResult> Echo(JObject args, ToolContext context) =>
        Task.FromResult(args["text"] is { Type: JTokenType.String } text
            ? CallToolResult.Text((string)text!)
            : CallToolResult.Error("Argument 'text' is required and must be a string."));

    private static Task<CallToolResult> Add(JObject args, ToolContext context)
    {
        if (args["a"] is not { Type: JTokenType.Integer or JTokenType.Float } a || args["b"] is not { Type: JTokenType.Integer or JTokenType.Float } b)
            return Task.FromResult(CallToolResult.Error("Arguments 'a' and 'b' are required and must be numbers."));
        var sum = (decimal)a + (decimal)b;
        return Task.FromResult(CallToolResult.Text(sum.ToString(CultureInfo.InvariantCulture)));
    }

    private static async Task<CallToolResult> SleepAsync(JObject args, ToolContext context)
    {
        if (args["ms"] is not { Type: JTokenType.Integer } msToken || (long)msToken! is < 0 or > 600_000)
            return CallToolResult.Error("Argument 'ms' is required and must be an integer from 0 to 600000.");

        var total = (int)(long)msToken!;
        if (!context.Progress.IsEnabled)
        {
            await Task.Delay(total, context.CancellationToken).ConfigureAwait(false);
        }
        else
        {
            // Ten steps, each reported as it completes.
            const int steps = 10;
            for (var step = 1; step <= steps; step++)
            {
                await Task.Delay(total / steps + (step == steps ? total % steps : 0), context.CancellationToken).ConfigureAwait(false);
                context.Progress.Report(step * (double)total / steps, total, $"slept {step * total / steps} of {total} ms");
            }
        }
        return CallToolResult.Text($"slept {total} ms");
    }

    private static JObject Schema(params (string Name, string Type, string Description)[] properties)
    {
        var props = new JObject();
        foreach (var (name, type, description) in properties)
            props[name] = new JObject { ["type"] = type, ["description"] = description };
        return new JObject
        {
            ["type"] = "object",
            ["properties"] = props,
            ["required"] = new JArray(properties.Select(p => p.Name)),
        };
    }
}
