using System.CommandLine;
using System.Globalization;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Pmcp.Client;
using Pmcp.Protocol;

namespace Pmcp.Cli;

/// <summary>The command tree and what each command does.</summary>
internal static class Commands
{
    /// <summary>Where <c>--url</c> points when neither it nor <c>PMCP_URL</c> is given: the standalone server's default.</summary>
    public const string DefaultUrl = "ws://127.0.0.1:9001/mcp";

    public static RootCommand Build(TextWriter output, TextWriter error)
    {
        var url = new Option<string>("--url", "-u")
        {
            Description = $"The server's WebSocket endpoint (ws:// or wss://). Default: $PMCP_URL, else {DefaultUrl}.",
            Recursive = true,
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("PMCP_URL") is { Length: > 0 } env ? env : DefaultUrl,
        };
        var json = new Option<bool>("--json")
        {
            Description = "Write the result as JSON on stdout, for scripts (errors too, as {\"error\":{...}}).",
            Recursive = true,
        };
        var timeout = new Option<double>("--timeout")
        {
            Description = "Seconds to wait for the connection and for each answer.",
            Recursive = true,
            DefaultValueFactory = _ => 30,
        };
        var headers = new Option<string[]>("--header", "-H")
        {
            Description = "An extra upgrade header, 'Name: value' (e.g. 'Authorization: Bearer …'); repeatable.",
            Recursive = true,
        };

        var root = new RootCommand("pmcp: talk to an MCP server over WebSocket.\n\n"
            + "Exit codes: 0 ok, 1 the tool reported an error (isError), 2 usage, 3 connection failed or lost, "
            + "4 JSON-RPC error from the server, 5 timeout, 130 interrupted.");
        root.Options.Add(url);
        root.Options.Add(json);
        root.Options.Add(timeout);
        root.Options.Add(headers);

        var tools = new Command("tools", "List or call the server's tools.");
        root.Subcommands.Add(tools);

        var list = new Command("list", "List every tool (all pages) with its description and arguments.");
        list.SetAction((parse, ct) => Run(parse, url, json, timeout, headers, output, error, ct,
            async (client, o, token) => await ListAsync(client, o, token).ConfigureAwait(false)));
        tools.Subcommands.Add(list);

        var name = new Argument<string>("name") { Description = "The tool to call." };
        var args = new Option<string>("--args", "-a")
        {
            Description = "The arguments as a JSON object, e.g. '{\"text\":\"hi\"}'.",
            DefaultValueFactory = _ => "{}",
        };
        var progress = new Option<bool>("--progress")
        {
            Description = "Print each progress notification on stderr as a line, even when stderr is not a terminal.",
        };
        var call = new Command("call", "Call a tool and print its result.");
        call.Arguments.Add(name);
        call.Options.Add(args);
        call.Options.Add(progress);
        call.SetAction((parse, ct) =>
        {
            JObject arguments;
            try
            {
                arguments = McpJson.Parse(parse.GetValue(args) ?? "{}") as JObject
                    ?? throw new JsonReaderException("it is JSON, but not an object");
            }
            catch (JsonReaderException ex)
            {
                return Task.FromResult(Output.UsageError(parse.GetValue(json), output, error, $"--args must be a JSON object: {ex.Message}"));
            }
            return Run(parse, url, json, timeout, headers, output, error, ct,
                (client, o, token) => CallAsync(client, o, parse.GetValue(name)!, arguments, parse.GetValue(progress), token));
        });
        tools.Subcommands.Add(call);

        var ping = new Command("ping", "Check that the server answers, and how fast.");
        ping.SetAction((parse, ct) => Run(parse, url, json, timeout, headers, output, error, ct,
            async (client, o, token) =>
            {
                var roundTrip = await client.PingAsync(token).ConfigureAwait(false);
                o.Pong(client.Transport.Config.Url, roundTrip);
                return ExitCodes.Ok;
            }));
        root.Subcommands.Add(ping);
        return root;
    }

    private static async Task<int> Run(ParseResult parse, Option<string> urlOption, Option<bool> jsonOption, Option<double> timeoutOption,
        Option<string[]> headersOption, TextWriter output, TextWriter error, CancellationToken cancellationToken,
        Func<McpClient, Output, CancellationToken, Task<int>> body)
    {
        var asJson = parse.GetValue(jsonOption);
        var url = parse.GetValue(urlOption)!;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != "ws" && uri.Scheme != "wss"))
            return Output.UsageError(asJson, output, error, $"--url must be an absolute ws:// or wss:// URL, not '{url}'.");

        var seconds = parse.GetValue(timeoutOption);
        if (!(seconds > 0) || seconds > TimeSpan.MaxValue.TotalSeconds / 2)
            return Output.UsageError(asJson, output, error, $"--timeout must be a positive number of seconds, not {seconds.ToString(CultureInfo.InvariantCulture)}.");

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in parse.GetValue(headersOption) ?? [])
        {
            var colon = header.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0) return Output.UsageError(asJson, output, error, $"--header must look like 'Name: value', not '{header}'.");
            headers[header[..colon].Trim()] = header[(colon + 1)..].Trim();
        }

        var config = new WebSocketConfig(uri)
        {
            // One command, one connection: a drop or a failed connect is reported, not retried.
            AutoReconnect = false,
            RequestTimeout = TimeSpan.FromSeconds(seconds),
            Headers = headers,
        };
        var o = new Output(asJson, output, error);
        try
        {
            await using var client = await McpClient.ConnectAsync(config, ClientCapabilities.Minimal(),
                new McpClientOptions { ClientInfo = new Implementation("pmcp", McpClientOptionsVersion()) }, cancellationToken).ConfigureAwait(false);
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

    private static async Task<int> ListAsync(McpClient client, Output o, CancellationToken cancellationToken)
    {
        var tools = await client.ListToolsAsync(cancellationToken).ConfigureAwait(false);
        o.Tools(client.Transport.Config.Url, tools);
        return ExitCodes.Ok;
    }

    private static async Task<int> CallAsync(McpClient client, Output o, string name, JObject arguments, bool progressLines, CancellationToken cancellationToken)
    {
        var progress = o.ProgressReporter(progressLines);
        CallToolResult result;
        try
        {
            result = await client.CallToolAsync(name, arguments, progress, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            progress?.Finish();
        }
        o.CallResult(result);
        return result.IsError == true ? ExitCodes.ToolError : ExitCodes.Ok;
    }

    private static string McpClientOptionsVersion() =>
        typeof(Commands).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}
