using System.Globalization;
using System.Text;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Pmcp.Protocol;

namespace Pmcp.Cli;

/// <summary>
/// Everything pmcp prints. Results go to stdout (human-readable, or JSON with <c>--json</c>); errors, tool failures and
/// progress go to stderr (with <c>--json</c>, errors also go to stdout as <c>{"error":{...}}</c>).
/// </summary>
internal sealed partial class Output(bool json, TextWriter stdout, TextWriter stderr)
{
    public static int UsageError(bool json, TextWriter stdout, TextWriter stderr, string message) =>
        new Output(json, stdout, stderr).Failure(ExitCodes.Usage, "usage", message);

    public int Failure(int exitCode, string kind, string message, int? code = null, JToken? data = null)
    {
        stderr.WriteLine("error: " + message);
        if (json)
        {
            var error = new JObject { ["kind"] = kind, ["message"] = message };
            if (code is { } c) error["code"] = c;
            if (data is not null) error["data"] = data;
            WriteJson(new JObject { ["error"] = error });
        }
        return exitCode;
    }

    public void Tools(Uri url, IReadOnlyList<Tool> tools)
    {
        if (json)
        {
            WriteJson(McpJson.ToToken(new ListToolsResult(tools)));
            return;
        }

        stdout.WriteLine($"{tools.Count} tool{(tools.Count == 1 ? "" : "s")} at {url}");
        var width = tools.Count == 0 ? 0 : tools.Max(t => t.Name.Length);
        foreach (var tool in tools)
        {
            stdout.WriteLine();
            stdout.WriteLine($"{tool.Name.PadRight(width)}  {tool.Description ?? tool.Title ?? ""}".TrimEnd());
            var required = (tool.InputSchema["required"] as JArray)?.Select(r => (string?)r).ToHashSet() ?? [];
            if (tool.InputSchema["properties"] is not JObject properties) continue;
            foreach (var (argName, schema) in properties)
            {
                var type = (string?)schema?["type"] ?? "any";
                var description = (string?)schema?["description"];
                var flags = required.Contains(argName) ? "required" : "optional";
                stdout.WriteLine($"{new string(' ', width)}    {argName}: {type}, {flags}{(description is null ? "" : " - " + description)}");
            }
        }
    }

    public void CallResult(CallToolResult result)
    {
        if (json)
        {
            WriteJson(McpJson.ToToken(result));
            return;
        }

        var writer = result.IsError == true ? stderr : stdout;
        if (result.IsError == true) writer.Write("tool error: ");
        foreach (var block in result.Content) writer.WriteLine(Describe(block));
        if (result.StructuredContent is { } structured && !result.Content.OfType<TextContent>().Any())
            writer.WriteLine(structured.ToString(Formatting.Indented));
    }

    public void Pong(Uri url, TimeSpan roundTrip)
    {
        if (json)
        {
            WriteJson(new JObject { ["url"] = url.ToString(), ["roundTripMs"] = Math.Round(roundTrip.TotalMilliseconds, 3) });
            return;
        }
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pong from {url} in {roundTrip.TotalMilliseconds:0.0} ms"));
    }

    /// <summary>
    /// A progress display on stderr: one line redrawn in place when stderr is a terminal; one line per notification
    /// when <paramref name="lines"/> is set; otherwise null (progress is not asked for).
    /// </summary>
    public ProgressDisplay? ProgressReporter(bool lines) =>
        lines ? new ProgressDisplay(stderr, inPlace: false)
        : !Console.IsErrorRedirected ? new ProgressDisplay(stderr, inPlace: true)
        : null;

    private void WriteJson(JToken token) => stdout.WriteLine(token.ToString(Formatting.Indented));

    private static string Describe(ContentBlock block) => block switch
    {
        TextContent text => text.Text,
        ImageContent image => $"[image {image.MimeType}, {Base64Bytes(image.Data)} bytes]",
        AudioContent audio => $"[audio {audio.MimeType}, {Base64Bytes(audio.Data)} bytes]",
        ResourceLink link => $"[resource link {link.Name}: {link.Uri}]",
        EmbeddedResource resource => $"[resource {(string?)resource.Resource["uri"]}]"
            + ((string?)resource.Resource["text"] is { } text ? Environment.NewLine + text : ""),
        _ => McpJson.Serialize(block),
    };

    private static long Base64Bytes(string data) => data.Length / 4L * 3 - (data.EndsWith("==", StringComparison.Ordinal) ? 2 : data.EndsWith('=') ? 1 : 0);
}
