using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;

namespace Pmcp.Actors.Conformance;

/// <summary>
/// The tools, resources and prompts the conformance suite's server scenarios call, by the names and with the payloads
/// their descriptions ask for (the scenario sources of @modelcontextprotocol/conformance 0.1.16; those only 2026-07-28 scenarios call: ConformanceFixtures2026).
/// </summary>
public static class ConformanceFixtures
{
    /// <summary>A 1×1 red PNG.</summary>
    private const string RedPixelPng = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";

    internal static readonly JObject NoArguments = JObject.Parse("""{"type":"object","properties":{}}""");

    public static McpServerBuilder AddConformanceFixtures(this McpServerBuilder mcp) => mcp.AddTools().AddResources().AddPrompts().AddModernFixtures().AddMrtrFixtures().AddTaskFixtures();

    private static McpServerBuilder AddTools(this McpServerBuilder mcp) => mcp
        .Tool("test_simple_text", (_, _) => Task.FromResult(CallToolResult.Text("This is a simple text response for testing.")),
            "Returns a simple text block.", NoArguments)
        .Tool("test_image_content", (_, _) => Task.FromResult(Result(new ImageContent(RedPixelPng, "image/png"))),
            "Returns a PNG image.", NoArguments)
        .Tool("test_audio_content", (_, _) => Task.FromResult(Result(new AudioContent(SilentWav(), "audio/wav"))),
            "Returns a short WAV sound.", NoArguments)
        .Tool("test_embedded_resource", (_, _) => Task.FromResult(Result(Embedded("test://embedded-resource", "text/plain", "This is an embedded resource content."))),
            "Returns an embedded text resource.", NoArguments)
        .Tool("test_multiple_content_types", (_, _) => Task.FromResult(Result(
                new TextContent("Multiple content types test:"),
                new ImageContent(RedPixelPng, "image/png"),
                Embedded("test://mixed-content-resource", "application/json", """{"test":"data","value":123}"""))),
            "Returns text, an image and an embedded resource.", NoArguments)
        .Tool("test_tool_with_logging", LogThreeTimesAsync, "Sends three info log messages while it runs.", NoArguments)
        .Tool("test_error_handling", (_, _) => Task.FromResult(CallToolResult.Error("This tool intentionally returns an error for testing")),
            "Always fails with an isError result.", NoArguments)
        .Tool("test_tool_with_progress", ReportProgressAsync, "Reports progress 0, 50 and 100 of 100.", NoArguments)
        .Tool("test_sampling", SampleAsync, "Asks the client's model (sampling/createMessage) and returns its answer.",
            JObject.Parse("""{"type":"object","properties":{"prompt":{"type":"string","description":"The prompt to send to the LLM"}},"required":["prompt"]}"""))
        .Tool("test_elicitation", ElicitAsync, "Asks the user for a username and an email (elicitation/create).",
            JObject.Parse("""{"type":"object","properties":{"message":{"type":"string","description":"The message to show the user"}},"required":["message"]}"""))
        .Tool("test_elicitation_sep1034_defaults", (_, ctx) => ElicitWithAsync(ctx, "Please review your details (defaults filled in)", """
            {"type":"object","properties":{
              "name":{"type":"string","description":"User name","default":"John Doe"},
              "age":{"type":"integer","description":"User age","default":30},
              "score":{"type":"number","description":"User score","default":95.5},
              "status":{"type":"string","description":"User status","enum":["active","inactive","pending"],"default":"active"},
              "verified":{"type":"boolean","description":"Verification status","default":true}}}
            """), "Elicits a form whose fields all have defaults (SEP-1034).", NoArguments)
        .Tool("test_elicitation_sep1330_enums", (_, ctx) => ElicitWithAsync(ctx, "Please pick some options", """
            {"type":"object","properties":{
              "untitledSingle":{"type":"string","enum":["option1","option2","option3"]},
              "titledSingle":{"type":"string","oneOf":[{"const":"value1","title":"First Option"},{"const":"value2","title":"Second Option"},{"const":"value3","title":"Third Option"}]},
              "legacyEnum":{"type":"string","enum":["opt1","opt2","opt3"],"enumNames":["Option One","Option Two","Option Three"]},
              "untitledMulti":{"type":"array","items":{"type":"string","enum":["option1","option2","option3"]}},
              "titledMulti":{"type":"array","items":{"anyOf":[{"const":"value1","title":"First Choice"},{"const":"value2","title":"Second Choice"},{"const":"value3","title":"Third Choice"}]}}}}
            """), "Elicits a form with every enum variant (SEP-1330).", NoArguments)
        // json-schema-2020-12: the input schema must reach tools/list as written, the 2020-12 keywords SEP-2106 allows and all.
        .Tool("json_schema_2020_12_tool", (args, _) => Task.FromResult(CallToolResult.Text(args.ToString(Formatting.None))),
            "Tool with JSON Schema 2020-12 features", JObject.Parse("""
            {"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
             "$defs":{"address":{"$anchor":"addressDef","type":"object","properties":{"street":{"type":"string"},"city":{"type":"string"}}}},
             "properties":{"name":{"type":"string"},"address":{"$ref":"#/$defs/address"},
               "contactMethod":{"type":"string","enum":["phone","email"]},"phone":{"type":"string"},"email":{"type":"string"}},
             "allOf":[{"anyOf":[{"required":["phone"]},{"required":["email"]}]}],
             "if":{"properties":{"contactMethod":{"const":"phone"}},"required":["contactMethod"]},
             "then":{"required":["phone"]},
             "else":{"required":["email"]},
             "additionalProperties":false}
            """));

    private static McpServerBuilder AddResources(this McpServerBuilder mcp) => mcp
        .Resource("test://static-text", "static-text", (uri, _, _) => Task.FromResult(new ReadResourceResult(
            [ResourceContents.FromText(uri, "This is the content of the static text resource.")])), "A static text resource.", "text/plain")
        .Resource("test://static-binary", "static-binary", (uri, _, _) => Task.FromResult(new ReadResourceResult(
            [ResourceContents.FromBytes(uri, Convert.FromBase64String(RedPixelPng), "image/png")])), "A static PNG image.", "image/png")
        .Resource("test://watched-resource", "watched-resource", (uri, _, _) => Task.FromResult(new ReadResourceResult(
            [ResourceContents.FromText(uri, "A resource to subscribe to.")])), "A resource clients subscribe to.", "text/plain")
        .ResourceTemplate(new McpResourceTemplateDefinition("test://template/{id}/data", "template-data", (uri, vars, _) =>
        {
            var data = new JObject { ["id"] = vars["id"], ["templateTest"] = true, ["data"] = $"Data for ID: {vars["id"]}" };
            return Task.FromResult(new ReadResourceResult([ResourceContents.FromText(uri, data.ToString(Formatting.None), "application/json")]));
        })
        {
            Description = "JSON data for an id.",
            MimeType = "application/json",
        });

    private static McpServerBuilder AddPrompts(this McpServerBuilder mcp) => mcp
        .Prompt(new McpPromptDefinition("test_simple_prompt", (_, _) => Task.FromResult(new GetPromptResult(
            [new PromptMessage("user", new TextContent("This is a simple prompt for testing."))])))
        {
            Description = "A prompt without arguments.",
        })
        .Prompt(new McpPromptDefinition("test_prompt_with_arguments", (args, _) => Task.FromResult(new GetPromptResult(
            [new PromptMessage("user", new TextContent($"Prompt with arguments: arg1='{args["arg1"]}', arg2='{args["arg2"]}'"))])))
        {
            Description = "A prompt with two required arguments.",
            Arguments = [new PromptArgument("arg1") { Description = "First test argument", Required = true }, new PromptArgument("arg2") { Description = "Second test argument", Required = true }],
            Completers = new Dictionary<string, McpCompleter>
            {
                ["arg1"] = (value, _, _) => Task.FromResult<IReadOnlyList<string>>(
                    new[] { "paris", "park", "party", "test", "testing" }.Where(v => v.StartsWith(value, StringComparison.Ordinal)).ToArray()),
            },
        })
        .Prompt(new McpPromptDefinition("test_prompt_with_embedded_resource", (args, _) => Task.FromResult(new GetPromptResult(
            [
                new PromptMessage("user", Embedded(args["resourceUri"], "text/plain", "Embedded resource content for testing.")),
                new PromptMessage("user", new TextContent("Please process the embedded resource above.")),
            ])))
        {
            Description = "A prompt that embeds a resource.",
            Arguments = [new PromptArgument("resourceUri") { Description = "URI of the resource to embed", Required = true }],
        })
        .Prompt(new McpPromptDefinition("test_prompt_with_image", (_, _) => Task.FromResult(new GetPromptResult(
            [
                new PromptMessage("user", new ImageContent(RedPixelPng, "image/png")),
                new PromptMessage("user", new TextContent("Please analyze the image above.")),
            ])))
        {
            Description = "A prompt with an image.",
        });

    private static CallToolResult Result(params ContentBlock[] content) => new() { Content = content };

    private static EmbeddedResource Embedded(string uri, string mimeType, string text) =>
        new(new JObject { ["uri"] = uri, ["mimeType"] = mimeType, ["text"] = text });

    internal static async Task<CallToolResult> LogThreeTimesAsync(JObject args, ToolContext ctx)
    {
        ctx.Client.Log("info", "Tool execution started", "test_tool_with_logging");
        await Task.Delay(50, ctx.CancellationToken).ConfigureAwait(false);
        ctx.Client.Log("info", "Tool processing data", "test_tool_with_logging");
        await Task.Delay(50, ctx.CancellationToken).ConfigureAwait(false);
        ctx.Client.Log("info", "Tool execution completed", "test_tool_with_logging");
        return CallToolResult.Text("Logging test completed: three messages sent.");
    }

    private static async Task<CallToolResult> ReportProgressAsync(JObject args, ToolContext ctx)
    {
        ctx.Progress.Report(0, 100);
        await Task.Delay(50, ctx.CancellationToken).ConfigureAwait(false);
        ctx.Progress.Report(50, 100);
        await Task.Delay(50, ctx.CancellationToken).ConfigureAwait(false);
        ctx.Progress.Report(100, 100);
        return CallToolResult.Text("Progress test completed.");
    }

    internal static async Task<CallToolResult> SampleAsync(JObject args, ToolContext ctx)
    {
        try
        {
            var answer = await ctx.Client.SampleAsync(
                new CreateMessageParams([new SamplingMessage("user", new TextContent((string?)args["prompt"] ?? ""))], 100), ctx.CancellationToken).ConfigureAwait(false);
            return CallToolResult.Text($"LLM response: {(answer.Content is TextContent text ? text.Text : answer.Content.Type)}");
        }
        catch (ClientRequestException ex)
        {
            return CallToolResult.Error($"Sampling failed: {ex.Message}");
        }
    }

    private static Task<CallToolResult> ElicitAsync(JObject args, ToolContext ctx) => ElicitWithAsync(ctx, (string?)args["message"] ?? "", """
        {"type":"object","properties":{
          "username":{"type":"string","description":"User's response"},
          "email":{"type":"string","description":"User's email address"}},
         "required":["username","email"]}
        """, prefix: "User response");

    internal static async Task<CallToolResult> ElicitWithAsync(ToolContext ctx, string message, string schema, string prefix = "Elicitation completed")
    {
        try
        {
            var result = await ctx.Client.ElicitAsync(ElicitParams.Form(message, JObject.Parse(schema)), ctx.CancellationToken).ConfigureAwait(false);
            return CallToolResult.Text($"{prefix}: action={result.Action}, content={result.Content?.ToString(Formatting.None) ?? "{}"}");
        }
        catch (ClientRequestException ex)
        {
            return CallToolResult.Error($"Elicitation failed: {ex.Message}");
        }
    }

    /// <summary>A tenth of a second of silence: 8 kHz, 8-bit mono PCM.</summary>
    private static string SilentWav()
    {
        const int samples = 800;
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, System.Text.Encoding.ASCII, leaveOpen: true))
        {
            w.Write("RIFF"u8.ToArray());
            w.Write(36 + samples);
            w.Write("WAVEfmt "u8.ToArray());
            w.Write(16);
            w.Write((short)1); // PCM
            w.Write((short)1); // mono
            w.Write(8000);     // sample rate
            w.Write(8000);     // byte rate
            w.Write((short)1); // block align
            w.Write((short)8); // bits per sample
            w.Write("data"u8.ToArray());
            w.Write(samples);
            w.Write(Enumerable.Repeat((byte)128, samples).ToArray());
        }
        return Convert.ToBase64String(stream.ToArray());
    }
}
