using System.CommandLine;

namespace Pmcp.Cli;

/// <summary>The <c>pmcp</c> command: tools, resources, prompts, complete, discover, ping (see <see cref="Commands"/>). Exit codes: see <see cref="ExitCodes"/>.</summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        var root = Commands.Build(Console.Out, Console.Error);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors) await Console.Error.WriteLineAsync("error: " + error.Message).ConfigureAwait(false);
            await Console.Error.WriteLineAsync("Run 'pmcp --help' for usage.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        return await parsed.InvokeAsync().ConfigureAwait(false);
    }
}
