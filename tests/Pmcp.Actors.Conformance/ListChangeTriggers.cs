using Pmcp.Actors.Hosting;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;

namespace Pmcp.Actors.Conformance;

/// <summary>
/// The diagnostic hooks server-stateless calls to see list changes reach a subscriptions/listen stream:
/// test_trigger_tool_change and test_trigger_prompt_change each add an entry to their list through the server's runtime,
/// which tells every session. The runtime exists only once the host is built, so it is handed over then (<see cref="Runtime"/>).
/// </summary>
public sealed class ListChangeTriggers
{
    private int _changes;

    public McpServerRuntime? Runtime { get; set; }

    public McpServerBuilder AddTo(McpServerBuilder mcp) => mcp
        .Tool("test_trigger_tool_change", async (_, ctx) =>
        {
            var name = $"test_added_tool_{Interlocked.Increment(ref _changes)}";
            await RuntimeOrThrow().AddToolAsync(new McpToolDefinition(name, McpToolDefinition.EmptyInputSchema(), (_, _) => Task.FromResult(CallToolResult.Text("added"))) { Description = "Added by test_trigger_tool_change." }, ctx.CancellationToken);
            return CallToolResult.Text($"Added tool {name}.");
        }, "Adds a tool, so that the tool list changes.", ConformanceFixtures.NoArguments)
        .Tool("test_trigger_prompt_change", async (_, ctx) =>
        {
            var name = $"test_added_prompt_{Interlocked.Increment(ref _changes)}";
            await RuntimeOrThrow().AddPromptAsync(new McpPromptDefinition(name, (_, _) => Task.FromResult(new GetPromptResult([new PromptMessage("user", new TextContent("added"))]))) { Description = "Added by test_trigger_prompt_change." }, ctx.CancellationToken);
            return CallToolResult.Text($"Added prompt {name}.");
        }, "Adds a prompt, so that the prompt list changes.", ConformanceFixtures.NoArguments);

    private McpServerRuntime RuntimeOrThrow() => Runtime ?? throw new InvalidOperationException("The server is not built yet.");
}
