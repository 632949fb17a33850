using System.CommandLine;
using Newtonsoft.Json.Linq;
using Pmcp.Client;
using Pmcp.Protocol;

namespace Pmcp.Cli;

/// <summary><c>pmcp tools list</c> and <c>pmcp tools call NAME --args JSON</c>.</summary>
internal static class ToolCommands
{
    public static Command Build(Commands commands)
    {
        var tools = new Command("tools", "List or call the server's tools.");

        var list = new Command("list", "List every tool (all pages) with its description and arguments.");
        list.SetAction((parse, ct) => commands.RunAsync(parse, ct, async (client, o, token) =>
        {
            o.Tools(client.Transport.Config.Url, await client.ListToolsAsync(token).ConfigureAwait(false));
            return ExitCodes.Ok;
        }));
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
        var call = new Command("call", "Call a tool and print its result. Progress is shown on a terminal; Ctrl-C cancels the call on the server.");
        call.Arguments.Add(name);
        call.Options.Add(args);
        call.Options.Add(progress);
        call.SetAction((parse, ct) =>
        {
            var arguments = commands.ParseObject(parse, "--args", parse.GetValue(args), out var usage);
            if (arguments is null) return Task.FromResult(usage);
            return commands.RunAsync(parse, ct, (client, o, token) => CallAsync(client, o, parse.GetValue(name)!, arguments, parse.GetValue(progress), token));
        });
        tools.Subcommands.Add(call);
        return tools;
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
}
