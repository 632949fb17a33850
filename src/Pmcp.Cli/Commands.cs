using System.CommandLine;
using System.Globalization;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Pmcp.Client;
using Pmcp.Protocol;

namespace Pmcp.Cli;

/// <summary>The command tree: the options every command shares, and how a command connects, runs and reports failure.</summary>
internal sealed class Commands
{
    /// <summary>Where <c>--url</c> points when neither it nor <c>PMCP_URL</c> is given: the standalone server's default.</summary>
    public const string DefaultUrl = "ws://127.0.0.1:9001/mcp";

    private readonly Option<string> _url = new("--url", "-u")
    {
        Description = $"The server's MCP endpoint: ws://, wss:// (WebSocket), http:// or https:// (Streamable HTTP). Default: $PMCP_URL, else {DefaultUrl}.",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("PMCP_URL") is { Length: > 0 } env ? env : DefaultUrl,
    };

    private readonly Option<bool> _json = new("--json")
    {
        Description = "Write the result as JSON on stdout, for scripts (errors too, as {\"error\":{...}}).",
        Recursive = true,
    };

    private readonly Option<double> _timeout = new("--timeout")
    {
        Description = "Seconds to wait for the connection and for each answer.",
        Recursive = true,
        DefaultValueFactory = _ => 30,
    };

    private readonly Option<string[]> _headers = new("--header", "-H")
    {
        Description = "An extra HTTP header (on the upgrade, or on every HTTP request), 'Name: value' (e.g. 'Authorization: Bearer …'); repeatable.",
        Recursive = true,
    };

    private Commands(TextWriter output, TextWriter error)
    {
        Out = output;
        Err = error;
    }

    public TextWriter Out { get; }

    public TextWriter Err { get; }

    public static RootCommand Build(TextWriter output, TextWriter error)
    {
        var commands = new Commands(output, error);
        var root = new RootCommand("pmcp: talk to an MCP server over WebSocket or Streamable HTTP, in either protocol era.\n\n"
            + "Exit codes: 0 ok, 1 the tool reported an error (isError), 2 usage, 3 connection failed or lost, "
            + "4 JSON-RPC error from the server, 5 timeout, 130 interrupted.");
        root.Options.Add(commands._url);
        root.Options.Add(commands._json);
        root.Options.Add(commands._timeout);
        root.Options.Add(commands._headers);
        root.Subcommands.Add(ToolCommands.Build(commands));
        root.Subcommands.Add(ResourceCommands.Build(commands));
        root.Subcommands.Add(PromptCommands.Build(commands));
        foreach (var command in ServerCommands.Build(commands)) root.Subcommands.Add(command);
        return root;
    }

    public bool Json(ParseResult parse) => parse.GetValue(_json);

    public int UsageError(ParseResult parse, string message) => Output.UsageError(Json(parse), Out, Err, message);

    /// <summary>
    /// Connects to <c>--url</c> (discovery first, then initialize for a 2025-era server), runs <paramref name="body"/>,
    /// closes, and turns each kind of failure into its exit code. Ctrl-C cancels the request in flight on the server.
    /// </summary>
    public async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken, Func<McpClient, Output, CancellationToken, Task<int>> body)
    {
        var asJson = Json(parse);
        var url = parse.GetValue(_url)!;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("ws" or "wss" or "http" or "https"))
            return UsageError(parse, $"--url must be an absolute ws://, wss://, http:// or https:// URL, not '{url}'.");

        var seconds = parse.GetValue(_timeout);
        if (!(seconds > 0) || seconds > TimeSpan.MaxValue.TotalSeconds / 2)
            return UsageError(parse, $"--timeout must be a positive number of seconds, not {seconds.ToString(CultureInfo.InvariantCulture)}.");

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in parse.GetValue(_headers) ?? [])
        {
            var colon = header.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0) return UsageError(parse, $"--header must look like 'Name: value', not '{header}'.");
            headers[header[..colon].Trim()] = header[(colon + 1)..].Trim();
        }

        var config = McpTransportConfig.ForUrl(uri) with
        {
            // One command, one connection: a drop or a failed connect is reported, not retried.
            AutoReconnect = false,
            RequestTimeout = TimeSpan.FromSeconds(seconds),
            Headers = headers,
        };
        var o = new Output(asJson, Out, Err);
        try
        {
            await using var client = await McpClient.ConnectAsync(config, ClientCapabilities.Minimal(),
                new McpClientOptions { ClientInfo = new Implementation("pmcp", CliVersion()) }, cancellationToken).ConfigureAwait(false);
            return await body(client, o, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return o.Failure(ExitCodes.Interrupted, "interrupted", "interrupted; the request was cancelled");
        }
        catch (McpTimeoutException ex)
        {
            return o.Failure(ExitCodes.Timeout, "timeout", ex.Message);
        }
        catch (McpProtocolException ex)
        {
            return o.Failure(ExitCodes.Protocol, "protocol", $"the server answered with error {ex.Code}: {ex.Message}", ex.Code, ex.ErrorData);
        }
        catch (McpConnectException ex)
        {
            return o.Failure(ExitCodes.Connection, "connection", ex.Message);
        }
        catch (McpConnectionLostException ex)
        {
            return o.Failure(ExitCodes.Connection, "connection", ex.Message);
        }
        catch (McpException ex)
        {
            return o.Failure(ExitCodes.Protocol, "protocol", ex.Message);
        }
    }

    /// <summary>Reads a JSON object option (<c>--args</c>, <c>--context</c>); null with a usage error written when it is not one.</summary>
    public JObject? ParseObject(ParseResult parse, string optionName, string? text, out int usageExit)
    {
        usageExit = 0;
        try
        {
            return McpJson.Parse(text ?? "{}") as JObject ?? throw new JsonReaderException("it is JSON, but not an object");
        }
        catch (JsonReaderException ex)
        {
            usageExit = UsageError(parse, $"{optionName} must be a JSON object: {ex.Message}");
            return null;
        }
    }

    /// <summary>A JSON object of strings as a dictionary (prompt arguments, completion context); null with a usage error when a value is not a string.</summary>
    public Dictionary<string, string>? ParseStrings(ParseResult parse, string optionName, string? text, out int usageExit)
    {
        var parsed = ParseObject(parse, optionName, text, out usageExit);
        if (parsed is null) return null;
        var strings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in parsed)
        {
            if (value is not { Type: JTokenType.String })
            {
                usageExit = UsageError(parse, $"{optionName} values must be strings ('{name}' is {value?.Type.ToString().ToLowerInvariant() ?? "null"}).");
                return null;
            }
            strings[name] = (string)value!;
        }
        return strings;
    }

    private static string CliVersion() => typeof(Commands).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}
