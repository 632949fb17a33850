using Newtonsoft.Json.Linq;
using Pmcp.Actors.Tasks;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;

namespace Pmcp.Actors.Conformance;

/// <summary>
/// The tools the tasks-* scenarios of @modelcontextprotocol/conformance 0.2.0-alpha.12 call (the 2026-07-28 tasks
/// extension): ordinary tools, declared with a <see cref="TaskSupport"/>; the server runs them as tasks.
/// </summary>
public static class ConformanceTaskFixtures
{
    public static McpServerBuilder AddTaskFixtures(this McpServerBuilder mcp) => mcp
        .Tool("greet", (args, _) => Task.FromResult(CallToolResult.Text($"Hello, {(string?)args["name"] ?? "world"}!")),
            "Greets by name (never a task).", Schema("""{"name":{"type":"string"}}"""))
        .Tool(new McpToolDefinition("slow_compute", Schema("""{"seconds":{"type":"number"},"label":{"type":"string"}}"""), SlowComputeAsync)
        {
            Description = "Waits the given seconds, then answers with its label.",
            TaskSupport = TaskSupport.Optional,
        })
        .Tool(new McpToolDefinition("failing_job", Schema("{}"), async (_, ctx) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(1), ctx.CancellationToken).ConfigureAwait(false);
            return CallToolResult.Error("The job failed.");
        })
        {
            Description = "Fails (an isError result) after about a second; only as a task.",
            TaskSupport = TaskSupport.Required,
        })
        .Tool(new McpToolDefinition("protocol_error_job", Schema("{}"), async (_, ctx) =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), ctx.CancellationToken).ConfigureAwait(false);
            throw new McpException(JsonRpcErrorCodes.InternalError, "The job hit an internal error.");
        })
        {
            Description = "Ends in a protocol error (the task fails).",
            TaskSupport = TaskSupport.Optional,
        })
        .Tool(new McpToolDefinition("confirm_delete", Schema("""{"filename":{"type":"string"}}"""), async (args, ctx) =>
        {
            var answer = await ConfirmAsync(ctx, $"Delete {(string?)args["filename"]}?").ConfigureAwait(false);
            return CallToolResult.Text(answer.Action == "accept" ? $"Deleted {(string?)args["filename"]}." : "Kept the file.");
        })
        {
            Description = "Asks the user to confirm (elicitation), then answers.",
            TaskSupport = TaskSupport.Optional,
        })
        .Tool(new McpToolDefinition("test_tool_with_task", Schema("{}"), async (_, ctx) =>
        {
            // Asked in the request (an InputRequiredResult round); the call becomes a task once it has the answer,
            // and the task (which runs this again from the start) finds the answer given then.
            var answer = await ctx.Client.ElicitAsync(ElicitParams.Form("What is your name?",
                JObject.Parse("""{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}""")),
                "user_name", ctx.CancellationToken).ConfigureAwait(false);
            await ctx.ContinueAsTaskAsync(ctx.CancellationToken).ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromMilliseconds(200), ctx.CancellationToken).ConfigureAwait(false);
            return CallToolResult.Text($"Hello, {(string?)answer.Content?["name"] ?? "nobody"}: your task is done.");
        })
        {
            Description = "Asks the user's name, then continues as a task that greets them.",
            TaskSupport = TaskSupport.Required,
            InputBeforeTask = true,
        })
        .Tool(new McpToolDefinition("multi_input", Schema("{}"), async (_, ctx) =>
        {
            var answers = await Task.WhenAll(ConfirmAsync(ctx, "First?"), ConfirmAsync(ctx, "Second?")).ConfigureAwait(false);
            return CallToolResult.Text(string.Join(", ", answers.Select(a => a.Action)));
        })
        {
            Description = "Asks the user two things at once (elicitation), then answers.",
            TaskSupport = TaskSupport.Optional,
        });

    private static async Task<CallToolResult> SlowComputeAsync(JObject args, ToolContext ctx)
    {
        var seconds = args["seconds"]?.Type is JTokenType.Integer or JTokenType.Float ? (double)args["seconds"]! : 0;
        if (seconds > 0) await Task.Delay(TimeSpan.FromSeconds(seconds), ctx.CancellationToken).ConfigureAwait(false);
        return CallToolResult.Text($"Computed {(string?)args["label"] ?? "result"} after {seconds} s.");
    }

    private static Task<ElicitResult> ConfirmAsync(ToolContext ctx, string message) => ctx.Client.ElicitAsync(
        ElicitParams.Form(message, JObject.Parse("""{"type":"object","properties":{"confirm":{"type":"boolean"},"name":{"type":"string"}}}""")),
        ctx.CancellationToken);

    private static JObject Schema(string properties) => JObject.Parse($$"""{"type":"object","properties":{{properties}}}""");
}
