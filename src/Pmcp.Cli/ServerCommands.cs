using System.CommandLine;
using Pmcp.Client;

namespace Pmcp.Cli;

/// <summary><c>pmcp discover</c>, <c>pmcp ping</c> and <c>pmcp complete</c>: about the server itself, and argument completion.</summary>
internal static class ServerCommands
{
    public static IEnumerable<Command> Build(Commands commands)
    {
        var discover = new Command("discover", "Print what the server speaks and offers: protocol versions, its name, capabilities and instructions.");
        discover.SetAction((parse, ct) => commands.RunAsync(parse, ct, (client, o, _) =>
        {
            o.Discovery(client);
            return Task.FromResult(ExitCodes.Ok);
        }));
        yield return discover;

        var ping = new Command("ping", "Check that the server answers, and how fast (a 2026-07-28 server has no ping: server/discover is timed).");
        ping.SetAction((parse, ct) => commands.RunAsync(parse, ct, async (client, o, token) =>
        {
            var roundTrip = await client.PingAsync(token).ConfigureAwait(false);
            o.Pong(client.Transport.Config.Url, roundTrip);
            return ExitCodes.Ok;
        }));
        yield return ping;

        var prompt = new Option<string>("--prompt") { Description = "Complete an argument of this prompt." };
        var resource = new Option<string>("--resource") { Description = "Complete a variable of this resource template (its URI template)." };
        var argument = new Argument<string>("argument") { Description = "The argument (or template variable) to complete." };
        var value = new Argument<string>("value") { Description = "What is typed so far.", DefaultValueFactory = _ => "" };
        var context = new Option<string>("--context")
        {
            Description = "Arguments already chosen, as a JSON object of strings.",
            DefaultValueFactory = _ => "{}",
        };
        var complete = new Command("complete", "Suggest values for a prompt argument or a resource template variable (completion/complete).");
        complete.Options.Add(prompt);
        complete.Options.Add(resource);
        complete.Options.Add(context);
        complete.Arguments.Add(argument);
        complete.Arguments.Add(value);
        complete.SetAction((parse, ct) =>
        {
            var promptName = parse.GetValue(prompt);
            var template = parse.GetValue(resource);
            if (string.IsNullOrEmpty(promptName) == string.IsNullOrEmpty(template))
                return Task.FromResult(commands.UsageError(parse, "complete needs exactly one of --prompt NAME and --resource URI_TEMPLATE."));
            var chosen = commands.ParseStrings(parse, "--context", parse.GetValue(context), out var usage);
            if (chosen is null) return Task.FromResult(usage);
            var reference = promptName is { Length: > 0 } ? CompletionReference.ForPrompt(promptName) : CompletionReference.ForResource(template!);
            return commands.RunAsync(parse, ct, async (client, o, token) =>
            {
                o.Completion(await client.CompleteAsync(reference, parse.GetValue(argument)!, parse.GetValue(value) ?? "", chosen, token).ConfigureAwait(false));
                return ExitCodes.Ok;
            });
        });
        yield return complete;
    }
}
