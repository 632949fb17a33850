using System.CommandLine;

namespace Pmcp.Cli;

/// <summary><c>pmcp resources list|templates|read URI</c>.</summary>
internal static class ResourceCommands
{
    public static Command Build(Commands commands)
    {
        var resources = new Command("resources", "List the server's resources and resource templates, or read one.");

        var list = new Command("list", "List every resource (all pages).");
        list.SetAction((parse, ct) => commands.RunAsync(parse, ct, async (client, o, token) =>
        {
            o.Resources(client.Transport.Config.Url, await client.ListResourcesAsync(token).ConfigureAwait(false));
            return ExitCodes.Ok;
        }));
        resources.Subcommands.Add(list);

        var templates = new Command("templates", "List every resource template (all pages).");
        templates.SetAction((parse, ct) => commands.RunAsync(parse, ct, async (client, o, token) =>
        {
            o.ResourceTemplates(client.Transport.Config.Url, await client.ListResourceTemplatesAsync(token).ConfigureAwait(false));
            return ExitCodes.Ok;
        }));
        resources.Subcommands.Add(templates);

        var uri = new Argument<string>("uri") { Description = "The resource to read: a listed URI, or one a template names." };
        var read = new Command("read", "Read a resource and print its contents (text as is; binary contents described).");
        read.Arguments.Add(uri);
        read.SetAction((parse, ct) => commands.RunAsync(parse, ct, async (client, o, token) =>
        {
            o.ResourceContents(await client.ReadResourceAsync(parse.GetValue(uri)!, token).ConfigureAwait(false));
            return ExitCodes.Ok;
        }));
        resources.Subcommands.Add(read);
        return resources;
    }
}
