using Newtonsoft.Json.Linq;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;

namespace Pmcp.Actors.Conformance;

/// <summary>
/// The diagnostic tools the 2026-07-28 scenarios of @modelcontextprotocol/conformance 0.2.0-alpha.12 call
/// (server-stateless), written once for both eras as every tool is: what they ask the client goes through ToolContext.
/// </summary>
public static class ConformanceFixtures2026
{
    public static McpServerBuilder AddModernFixtures(this McpServerBuilder mcp) => mcp
        // Asks for sampling: a request whose _meta did not declare it is answered -32021.
        .Tool("test_missing_capability", (args, ctx) => ConformanceFixtures.SampleAsync(args, ctx),
            "Needs the client's sampling capability (asks its model).", ConformanceFixtures.NoArguments)
        // Asks the user something while the request runs: the response stream carries no server→client request.
        .Tool("test_streaming_elicitation", (_, ctx) => ConformanceFixtures.ElicitWithAsync(ctx, "What is your name?",
            """{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}"""),
            "Asks the user for a name (elicitation) while it runs.", ConformanceFixtures.NoArguments)
        // Logs three times: a request that sets no log level gets none of it.
        .Tool("test_logging_tool", (args, ctx) => ConformanceFixtures.LogThreeTimesAsync(args, ctx),
            "Sends three info log messages while it runs.", ConformanceFixtures.NoArguments)
        // http-custom-header-server-validation: 'region' is mirrored into an Mcp-Param-Region header, which the server
        // checks against the body over 2026-07-28 Streamable HTTP.
        .Tool("test_custom_header", (args, _) => Task.FromResult(CallToolResult.Text($"Region: {(string?)args["region"]}")),
            "Names the region it was given; the region travels in an Mcp-Param-Region header too.", JObject.Parse(
                """{"type":"object","properties":{"region":{"type":"string","x-mcp-header":"Region"},"query":{"type":"string"}},"required":["region"]}"""));
}
