using System.Globalization;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;

namespace Pmcp.Actors.Server;

/// <summary>
/// The rest of the standalone server's demo set, one of each feature a client can try: a text resource, a resource
/// template with completion, a prompt with arguments, a tool with structured output, and tools that ask the client
/// for sampling and for elicitation.
/// </summary>
public static class DemoFeatures
{
    private static readonly string[] Styles = ["brief", "detailed", "bullet-points"];

    public static McpServerBuilder AddDemoFeatures(this McpServerBuilder builder) => builder
        .Resource("demo://readme", "readme", (uri, _, _) => Task.FromResult(new ReadResourceResult([ResourceContents.FromText(uri,
            "Pmcp.Actors demo server. Tools: echo, add, sleep, stats, ask-model, ask-user. Resources: demo://readme, demo://squares/{n}. Prompt: summarize.")])),
            "What this server offers.", "text/plain")
        .ResourceTemplate(new McpResourceTemplateDefinition("demo://squares/{n}", "squares", ReadSquare)
        {
            Description = "The square of an integer n.",
            MimeType = "text/plain",
            Completers = new Dictionary<string, McpCompleter>
            {
                ["n"] = (value, _, _) => Task.FromResult<IReadOnlyList<string>>(
                    Enumerable.Range(1, 20).Select(i => i.ToString(CultureInfo.InvariantCulture)).Where(s => s.StartsWith(value, StringComparison.Ordinal)).ToArray()),
            },
        })
        .Prompt(new McpPromptDefinition("summarize", (args, _) => Task.FromResult(new GetPromptResult(
            [new PromptMessage("user", new TextContent($"Summarize what you know about {args["topic"]} in a {args.GetValueOrDefault("style", "brief")} style."))])
        {
            Description = $"Summary of {args["topic"]}",
        }))
        {
            Description = "Asks the model to summarize a topic.",
            Arguments = [new PromptArgument("topic") { Description = "What to summarize.", Required = true }, new PromptArgument("style") { Description = "brief, detailed or bullet-points." }],
            Completers = new Dictionary<string, McpCompleter>
            {
                ["style"] = (value, _, _) => Task.FromResult<IReadOnlyList<string>>(Styles.Where(s => s.StartsWith(value, StringComparison.Ordinal)).ToArray()),
            },
        })
        .Tool(new McpToolDefinition("stats", JObject.Parse("""
            {"type":"object","properties":{"numbers":{"type":"array","items":{"type":"number"},"description":"The numbers to describe."}},"required":["numbers"]}
            """), Stats)
        {
            Description = "Count, sum, mean, min and max of a list of numbers, as structured content.",
            OutputSchema = JObject.Parse("""
                {"type":"object","properties":{"count":{"type":"integer"},"sum":{"type":"number"},"mean":{"type":"number"},"min":{"type":"number"},"max":{"type":"number"}},"required":["count","sum"]}
                """),
            Annotations = new ToolAnnotations { ReadOnlyHint = true, IdempotentHint = true, OpenWorldHint = false },
        })
        .Tool("ask-model", AskModelAsync, "Asks the client's model a question (sampling) and returns its answer.",
            JObject.Parse("""{"type":"object","properties":{"question":{"type":"string"}},"required":["question"]}"""))
        .Tool("ask-user", AskUserAsync, "Asks the user a question through the client (elicitation, form mode) and returns the answer.",
            JObject.Parse("""{"type":"object","properties":{"question":{"type":"string"}},"required":["question"]}"""));

    private static Task<ReadResourceResult> ReadSquare(string uri, IReadOnlyDictionary<string, string> variables, ToolContext context)
    {
        if (!long.TryParse(variables["n"], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) || Math.Abs(n) > 3_000_000_000)
            throw new McpException(JsonRpcErrorCodes.ResourceNotFound, $"Resource not found: {uri} (n must be an integer up to 3e9 in size)");
        return Task.FromResult(new ReadResourceResult([ResourceContents.FromText(uri, $"{n} squared is {n * n}")]));
    }

    private static Task<CallToolResult> Stats(JObject args, ToolContext context)
    {
        if (args["numbers"] is not JArray array || array.Any(t => t.Type is not (JTokenType.Integer or JTokenType.Float)))
            return Task.FromResult(CallToolResult.Error("Argument 'numbers' is required and must be an array of numbers."));
        var numbers = array.Select(t => (double)t).ToArray();
        // The output schema says number, and JSON has no infinity (Json.NET would write the string "Infinity"): a number
        // too large for a double (1e400 reads as infinity), or a sum or mean past it, is an argument error that names it.
        if (Array.FindIndex(numbers, n => !double.IsFinite(n)) is var at and >= 0)
            return Task.FromResult(CallToolResult.Error($"Argument 'numbers' is out of range: numbers[{at}] is beyond a double's range (at most {double.MaxValue:R} in size)."));
        var sum = numbers.Sum();
        if (!double.IsFinite(sum))
            return Task.FromResult(CallToolResult.Error($"Argument 'numbers' is out of range: their sum is beyond a double's range (at most {double.MaxValue:R} in size)."));
        var stats = new JObject { ["count"] = numbers.Length, ["sum"] = sum };
        if (numbers.Length > 0)
        {
            stats["mean"] = sum / numbers.Length;
            stats["min"] = numbers.Min();
            stats["max"] = numbers.Max();
        }
        return Task.FromResult(new CallToolResult { Content = [new TextContent(stats.ToString(Newtonsoft.Json.Formatting.None))], StructuredContent = stats });
    }

    private static async Task<CallToolResult> AskModelAsync(JObject args, ToolContext context)
    {
        if (args["question"] is not { Type: JTokenType.String } question)
            return CallToolResult.Error("Argument 'question' is required and must be a string.");
        try
        {
            var answer = await context.Client.SampleAsync(
                new CreateMessageParams([new SamplingMessage("user", new TextContent((string)question!))], 500) { SystemPrompt = "Answer briefly." },
                context.CancellationToken).ConfigureAwait(false);
            return CallToolResult.Text(answer.Content is TextContent text ? text.Text : $"(the model answered with {answer.Content.Type} content)");
        }
        catch (ClientRequestException ex)
        {
            return CallToolResult.Error($"Could not ask the model: {ex.Message}");
        }
    }

    private static async Task<CallToolResult> AskUserAsync(JObject args, ToolContext context)
    {
        if (args["question"] is not { Type: JTokenType.String } question)
            return CallToolResult.Error("Argument 'question' is required and must be a string.");
        try
        {
            var schema = JObject.Parse("""{"type":"object","properties":{"answer":{"type":"string","title":"Your answer"}},"required":["answer"]}""");
            var result = await context.Client.ElicitAsync(ElicitParams.Form((string)question!, schema), context.CancellationToken).ConfigureAwait(false);
            return result.Action == "accept"
                ? CallToolResult.Text($"The user answered: {result.Content?["answer"]}")
                : CallToolResult.Text($"The user chose to {result.Action}.");
        }
        catch (ClientRequestException ex)
        {
            return CallToolResult.Error($"Could not ask the user: {ex.Message}");
        }
    }
}
