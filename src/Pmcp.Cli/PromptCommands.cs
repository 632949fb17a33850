using System.CommandLine;

namespace Pmcp.Cli;

/// <summary><c>pmcp prompts list</c> and <c>pmcp prompts get NAME --args JSON</c>.</summary>
internal static class PromptCommands
{
    public static Command Build(Commands commands)
    {
        var prompts = new Command("prompts", "List the server's prompts, or get one filled in.");

        var list = new Command("list", "List every prompt (all pages) with its arguments.");
        list.SetAction((parse, ct) => commands.RunAsync(parse, ct, async (client, o, token) =>
        {
            o.Prompts(client.Transport.Config.Url, await client.ListPromptsAsync(token).ConfigureAwait(false));
            return ExitCodes.Ok;
        }));
        prompts.Subcommands.Add(list);

        var name = new Argument<string>("name") { Description = "The prompt to get." };
        var args = new Option<string>("--args", "-a")
        {
            Description = "The prompt's arguments as a JSON object of strings, e.g. '{\"topic\":\"actors\"}'.",
            DefaultValueFactory = _ => "{}",
        };
        var get = new Command("get", "Get a prompt filled in with its arguments and print its messages.");
        get.Arguments.Add(name);
        get.Options.Add(args);
        get.SetAction((parse, ct) =>
        {
            var arguments = commands.ParseStrings(parse, "--args", parse.GetValue(args), out var usage);
            if (arguments is null) return Task.FromResult(usage);
            return commands.RunAsync(parse, ct, async (client, o, token) =>
            {
                o.PromptMessages(await client.GetPromptAsync(parse.GetValue(name)!, arguments, token).ConfigureAwait(false));
                return ExitCodes.Ok;
            });
        });
        prompts.Subcommands.Add(get);
        return prompts;
    }
}
