using Newtonsoft.Json.Linq;
using Pmcp.Client;
using Pmcp.Protocol;

namespace Pmcp.Cli;

/// <summary>How resources, prompts, completions and the server's description are printed.</summary>
internal sealed partial class Output
{
    public void Resources(Uri url, IReadOnlyList<Resource> resources)
    {
        if (json)
        {
            WriteJson(McpJson.ToToken(new ListResourcesResult(resources)));
            return;
        }
        stdout.WriteLine($"{Count(resources.Count, "resource")} at {url}");
        foreach (var resource in resources)
        {
            stdout.WriteLine();
            stdout.WriteLine($"{resource.Uri}  {resource.Name}{(resource.MimeType is null ? "" : $" ({resource.MimeType})")}");
            if (resource.Description is { } description) stdout.WriteLine("    " + description);
        }
    }

    public void ResourceTemplates(Uri url, IReadOnlyList<ResourceTemplate> templates)
    {
        if (json)
        {
            WriteJson(McpJson.ToToken(new ListResourceTemplatesResult(templates)));
            return;
        }
        stdout.WriteLine($"{Count(templates.Count, "resource template")} at {url}");
        foreach (var template in templates)
        {
            stdout.WriteLine();
            stdout.WriteLine($"{template.UriTemplate}  {template.Name}{(template.MimeType is null ? "" : $" ({template.MimeType})")}");
            if (template.Description is { } description) stdout.WriteLine("    " + description);
        }
    }

    /// <summary>A resource's contents: text as it is, binary contents as a line that says what they are.</summary>
    public void ResourceContents(ReadResourceResult result)
    {
        if (json)
        {
            WriteJson(McpJson.ToToken(result));
            return;
        }
        foreach (var contents in result.Contents)
        {
            if (contents.Text is { } text) stdout.WriteLine(text);
            else if (contents.Blob is { } blob) stdout.WriteLine($"[blob {contents.MimeType ?? "of unknown type"}, {Base64Bytes(blob)} bytes: {contents.Uri}]");
        }
    }

    public void Prompts(Uri url, IReadOnlyList<Prompt> prompts)
    {
        if (json)
        {
            WriteJson(McpJson.ToToken(new ListPromptsResult(prompts)));
            return;
        }
        stdout.WriteLine($"{Count(prompts.Count, "prompt")} at {url}");
        var width = prompts.Count == 0 ? 0 : prompts.Max(p => p.Name.Length);
        foreach (var prompt in prompts)
        {
            stdout.WriteLine();
            stdout.WriteLine($"{prompt.Name.PadRight(width)}  {prompt.Description ?? prompt.Title ?? ""}".TrimEnd());
            foreach (var argument in prompt.Arguments ?? [])
            {
                var flags = argument.Required == true ? "required" : "optional";
                stdout.WriteLine($"{new string(' ', width)}    {argument.Name}: {flags}{(argument.Description is null ? "" : " - " + argument.Description)}");
            }
        }
    }

    public void PromptMessages(GetPromptResult result)
    {
        if (json)
        {
            WriteJson(McpJson.ToToken(result));
            return;
        }
        if (result.Description is { } description) stdout.WriteLine($"# {description}");
        foreach (var message in result.Messages) stdout.WriteLine($"{message.Role}: {Describe(message.Content)}");
    }

    public void Completion(Completion completion)
    {
        if (json)
        {
            WriteJson(McpJson.ToToken(completion));
            return;
        }
        foreach (var value in completion.Values) stdout.WriteLine(value);
        if (completion.HasMore == true) stderr.WriteLine($"(more: {completion.Total?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"} in all)");
    }

    /// <summary>What the handshake found: the era and version spoken, the versions the server names, who it is and what it offers.</summary>
    public void Discovery(McpClient client)
    {
        var discovered = client.DiscoverResult;
        var info = client.ServerInfo;
        var capabilities = discovered?.Capabilities ?? (client.ServerCapabilities is { } c ? (JObject)McpJson.ToToken(c) : new JObject());
        var supported = discovered?.SupportedVersions ?? [client.ProtocolVersion!];
        var instructions = discovered?.Instructions ?? client.InitializeResult?.Instructions;
        if (json)
        {
            var described = new JObject
            {
                ["url"] = client.Transport.Config.Url.ToString(),
                ["protocolVersion"] = client.ProtocolVersion,
                ["handshake"] = discovered is null ? "initialize" : "server/discover",
                ["supportedVersions"] = new JArray(supported),
                ["capabilities"] = capabilities,
            };
            if (info is not null && info.Name.Length > 0) described["serverInfo"] = McpJson.ToToken(info);
            if (instructions is not null) described["instructions"] = instructions;
            WriteJson(described);
            return;
        }

        stdout.WriteLine($"server:       {(info is null || info.Name.Length == 0 ? "(not named)" : $"{info.Name} {info.Version}{(info.Title is null ? "" : $" ({info.Title})")}")}");
        stdout.WriteLine($"url:          {client.Transport.Config.Url}");
        stdout.WriteLine($"protocol:     {client.ProtocolVersion} ({(discovered is null ? "2025 era: initialize handshake" : "2026 era: server/discover, no session")})");
        stdout.WriteLine($"versions:     {string.Join(", ", supported)}{(discovered is null ? " (a 2025-era server names only the one it chose)" : "")}");
        stdout.WriteLine($"capabilities: {(capabilities.Count == 0 ? "none" : string.Join(", ", capabilities.Properties().Select(DescribeCapability)))}");
        if (instructions is not null) stdout.WriteLine($"instructions: {instructions}");
    }

    private static string DescribeCapability(JProperty capability)
    {
        var flags = (capability.Value as JObject)?.Properties().Where(p => p.Value.Type == JTokenType.Boolean && (bool)p.Value).Select(p => p.Name).ToList() ?? [];
        return flags.Count == 0 ? capability.Name : $"{capability.Name} ({string.Join(", ", flags)})";
    }

    private static string Count(int count, string noun) => $"{count} {noun}{(count == 1 ? "" : "s")}";
}
