using System.Globalization;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;

namespace Pmcp.Actors.Server;

/// <summary>The tools the standalone server offers out of the box, so any client has something to call.</summary>
public static class DemoTools
{
    public static McpServerBuilder AddDemoTools(this McpServerBuilder builder) => builder
        .Tool(McpToolDefinition.ForArguments("echo", Schema(("text", "string", "The text to send back.")), Echo) with { Description = "Returns its text unchanged." })
        .Tool("add", Add, "Adds two numbers and returns the sum as text.", Schema(("a", "number", "First addend."), ("b", "number", "Second addend.")))
        .Tool("sleep", SleepAsync, "Waits ms milliseconds, reporting progress when asked; stops at once when cancelled.",
            Schema(("ms", "integer", "How long to wait, 0 to 600000.")));

    // Reads its one string from the request's bytes (ToolArguments): no Json.NET object is made for the arguments.
    private static Task<CallToolResult> Echo(ToolArguments args, ToolContext context) =>
        Task.FromResult(args.TryGetString("text", out var text)
            ? CallToolResult.Text(text)
            : CallToolResult.Error("Argument 'text' is required and must be a string."));

    private static Task<CallToolResult> Add(JObject args, ToolContext context)
    {
        if (args["a"] is not { Type: JTokenType.Integer or JTokenType.Float } a || args["b"] is not { Type: JTokenType.Integer or JTokenType.Float } b)
            return Task.FromResult(CallToolResult.Error("Arguments 'a' and 'b' are required and must be numbers."));
        // Added as decimals, so that 0.1 + 0.2 is 0.3: a number past a decimal's range is an argument error that names it.
        if (!TryDecimal(a, out var left)) return Task.FromResult(OutOfRange("a"));
        if (!TryDecimal(b, out var right)) return Task.FromResult(OutOfRange("b"));
        try
        {
            return Task.FromResult(CallToolResult.Text((left + right).ToString(CultureInfo.InvariantCulture)));
        }
        catch (OverflowException)
        {
            return Task.FromResult(CallToolResult.Error($"The sum of arguments 'a' and 'b' is out of range: it must be at most {decimal.MaxValue:E1} in size."));
        }

        static CallToolResult OutOfRange(string name) =>
            CallToolResult.Error($"Argument '{name}' is out of range: it must be a finite number at most {decimal.MaxValue:E1} in size.");
    }

    /// <summary>A JSON number as a decimal; false when it is beyond a decimal's range (or infinite, as 1e400 reads).</summary>
    private static bool TryDecimal(JToken number, out decimal value)
    {
        value = 0;
        try
        {
            switch (((JValue)number).Value)
            {
                case long l:
                    value = l;
                    return true;
                case System.Numerics.BigInteger big:
                    value = (decimal)big;
                    return true;
                case double d when double.IsFinite(d):
                    value = (decimal)d;
                    return true;
                default:
                    return false;
            }
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    private static async Task<CallToolResult> SleepAsync(JObject args, ToolContext context)
    {
        // An integer past 64 bits is a BigInteger, not a long: out of range like any other.
        if (args["ms"] is not JValue { Value: long ms } || ms is < 0 or > 600_000)
            return CallToolResult.Error("Argument 'ms' is required and must be an integer from 0 to 600000.");

        var total = (int)ms;
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
