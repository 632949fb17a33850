using Newtonsoft.Json.Linq;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;

namespace Pmcp.Actors.Conformance;

/// <summary>
/// The tools and the prompt the 2026-07-28 input-required-result-* scenarios (multi-round-trip requests, SEP-2322) of
/// @modelcontextprotocol/conformance 0.2.0-alpha.12 call, under the names and input keys their descriptions give. Each is
/// written as any tool that asks its client is, through ToolContext.Client: over 2025 the questions are requests to
/// the client; over 2026 the server answers with an InputRequiredResult and runs the handler again on the retry.
/// </summary>
public static class ConformanceFixturesMrtr
{
    private const string NameSchema = """{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}""";
    private const string ConfirmSchema = """{"type":"object","properties":{"ok":{"type":"boolean"}},"required":["ok"]}""";

    public static McpServerBuilder AddMrtrFixtures(this McpServerBuilder mcp) => mcp
        .Tool("test_input_required_result_elicitation", async (_, ctx) =>
        {
            var answer = await ctx.Client.ElicitAsync(ElicitParams.Form("What is your name?", JObject.Parse(NameSchema)), "user_name", ctx.CancellationToken);
            return CallToolResult.Text($"Hello, {answer.Content?["name"]}!");
        }, "Asks the user's name (elicitation, input key user_name) and greets them.", ConformanceFixtures.NoArguments)
        .Tool("test_input_required_result_sampling", async (_, ctx) =>
        {
            var answer = await ctx.Client.SampleAsync(Question("What is the capital of France?", 100), "capital_question", ctx.CancellationToken);
            return CallToolResult.Text(TextOf(answer));
        }, "Asks the client's model a question (sampling, input key capital_question).", ConformanceFixtures.NoArguments)
        .Tool("test_input_required_result_list_roots", async (_, ctx) =>
        {
            var roots = await ctx.Client.ListRootsAsync("client_roots", ctx.CancellationToken);
            return CallToolResult.Text("Roots: " + string.Join(", ", roots.Roots.Select(r => r.Uri)));
        }, "Asks for the client's roots (input key client_roots) and names them.", ConformanceFixtures.NoArguments)
        .Tool("test_input_required_result_request_state", (_, ctx) => ConfirmAsync(ctx, "state-ok: the requestState was verified"),
            "Asks for a confirmation (input key confirm) under a signed requestState.", ConformanceFixtures.NoArguments)
        .Tool("test_input_required_result_tampered_state", (_, ctx) => ConfirmAsync(ctx, "confirmed"),
            "Asks for a confirmation (input key confirm); a changed requestState is refused.", ConformanceFixtures.NoArguments)
        .Tool("test_input_required_result_multiple_inputs", async (_, ctx) =>
        {
            // Asked together, so one InputRequiredResult carries all three.
            var name = ctx.Client.ElicitAsync(ElicitParams.Form("What is your name?", JObject.Parse(NameSchema)), "user_name", ctx.CancellationToken);
            var greeting = ctx.Client.SampleAsync(Question("Generate a greeting", 50), "greeting", ctx.CancellationToken);
            var roots = ctx.Client.ListRootsAsync("client_roots", ctx.CancellationToken);
            await Task.WhenAll(name, greeting, roots);
            return CallToolResult.Text($"{TextOf(greeting.Result)} {name.Result.Content?["name"]} ({roots.Result.Roots.Count} roots)");
        }, "Asks for a name, a greeting and the roots at once (input keys user_name, greeting, client_roots).", ConformanceFixtures.NoArguments)
        .Tool("test_input_required_result_multi_round", async (_, ctx) =>
        {
            // Asked one after the other: the second question needs the first answer, so it comes in a second round.
            var name = await ctx.Client.ElicitAsync(ElicitParams.Form("Step 1: What is your name?", JObject.Parse(NameSchema)), "step1", ctx.CancellationToken);
            var color = await ctx.Client.ElicitAsync(ElicitParams.Form("Step 2: What is your favorite color?",
                JObject.Parse("""{"type":"object","properties":{"color":{"type":"string"}},"required":["color"]}""")), "step2", ctx.CancellationToken);
            return CallToolResult.Text($"{name.Content?["name"]} likes {color.Content?["color"]}.");
        }, "Asks a name, then a favourite color (input keys step1, step2: two rounds).", ConformanceFixtures.NoArguments)
        .Tool("test_input_required_result_capabilities", async (_, ctx) =>
        {
            // Asks what the client can answer: a question it declared no capability for is refused, and done without.
            var answers = await Task.WhenAll(
                OrNull(ctx.Client.SampleAsync(Question("Say something", 20), "sampling_input", ctx.CancellationToken), TextOf),
                OrNull(ctx.Client.ElicitAsync(ElicitParams.Form("Say something", JObject.Parse(NameSchema)), "elicitation_input", ctx.CancellationToken),
                    e => (string?)e.Content?["name"] ?? e.Action));
            return CallToolResult.Text("Answers: " + string.Join(", ", answers.Where(a => a is not null)));
        }, "Asks only what the request's client capabilities allow (sampling, elicitation).", ConformanceFixtures.NoArguments)
        .Prompt(new McpPromptDefinition("test_input_required_result_prompt", async (_, ctx) =>
        {
            var context = await ctx.Client.ElicitAsync(ElicitParams.Form("What context should the prompt use?",
                JObject.Parse("""{"type":"object","properties":{"context":{"type":"string"}},"required":["context"]}""")), "user_context", ctx.CancellationToken);
            return new GetPromptResult([new PromptMessage("user", new TextContent($"Use this context: {context.Content?["context"]}"))]);
        })
        {
            Description = "A prompt that asks the user for its context (elicitation, input key user_context).",
        });

    private static async Task<CallToolResult> ConfirmAsync(ToolContext ctx, string text)
    {
        var answer = await ctx.Client.ElicitAsync(ElicitParams.Form("Please confirm", JObject.Parse(ConfirmSchema)), "confirm", ctx.CancellationToken);
        return CallToolResult.Text($"{text} (action={answer.Action})");
    }

    private static CreateMessageParams Question(string text, int maxTokens) => new([new SamplingMessage("user", new TextContent(text))], maxTokens);

    private static string TextOf(CreateMessageResult answer) => answer.Content is TextContent text ? text.Text : answer.Content.Type;

    private static async Task<string?> OrNull<T>(Task<T> question, Func<T, string> describe)
    {
        try
        {
            return describe(await question);
        }
        catch (ClientRequestException ex) when (ex.Failure == ClientRequestFailure.NotSupported)
        {
            return null;
        }
    }
}
