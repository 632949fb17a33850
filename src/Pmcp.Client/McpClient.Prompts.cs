using Newtonsoft.Json.Linq;
using Pmcp.Protocol;

namespace Pmcp.Client;

/// <summary>Prompts, argument completion and the server's log level.</summary>
public sealed partial class McpClient
{
    private string? _logLevel;

    /// <summary>One page of <c>prompts/list</c>; pass the previous page's <see cref="ListPromptsResult.NextCursor"/> for the next.</summary>
    public async Task<ListPromptsResult> ListPromptsPageAsync(string? cursor = null, CancellationToken cancellationToken = default)
    {
        var result = await RequestAsync(McpMethods.PromptsList, _ => Cursor(cursor), cancellationToken).ConfigureAwait(false);
        return Parse<ListPromptsResult>(result, McpMethods.PromptsList);
    }

    /// <summary>Every prompt the server lists, across all pages.</summary>
    /// <exception cref="McpException">The server sent a cursor it had sent before (it would never end).</exception>
    public Task<IReadOnlyList<Prompt>> ListPromptsAsync(CancellationToken cancellationToken = default) =>
        AllPagesAsync(McpMethods.PromptsList, ListPromptsPageAsync, page => (page.Prompts, page.NextCursor), cancellationToken);

    /// <summary>
    /// The prompt <paramref name="name"/> filled in with <paramref name="arguments"/>. An unknown prompt or a missing
    /// required argument is an <see cref="McpProtocolException"/> (-32602). A 2026-era <c>input_required</c> answer is
    /// handled as in <see cref="CallToolAsync"/>.
    /// </summary>
    public async Task<GetPromptResult> GetPromptAsync(string name, IReadOnlyDictionary<string, string>? arguments = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var parameters = new JObject { ["name"] = name };
        if (arguments is { Count: > 0 }) parameters["arguments"] = JObject.FromObject(arguments);
        var result = await RequestWithInputAsync(McpMethods.PromptsGet, parameters, name, null, cancellationToken).ConfigureAwait(false);
        return Parse<GetPromptResult>(result, McpMethods.PromptsGet);
    }

    /// <summary>
    /// Suggestions for the argument <paramref name="argumentName"/> of <paramref name="reference"/>, given what the user
    /// typed so far (<paramref name="value"/>) and the arguments already chosen (<paramref name="context"/>).
    /// A server without the <c>completions</c> capability answers -32601 (<see cref="McpProtocolException"/>).
    /// </summary>
    public async Task<Completion> CompleteAsync(CompletionReference reference, string argumentName, string value,
        IReadOnlyDictionary<string, string>? context = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentException.ThrowIfNullOrEmpty(argumentName);
        ArgumentNullException.ThrowIfNull(value);
        var parameters = new JObject
        {
            ["ref"] = McpJson.ToToken(reference),
            ["argument"] = new JObject { ["name"] = argumentName, ["value"] = value },
        };
        if (context is { Count: > 0 }) parameters["context"] = new JObject { ["arguments"] = JObject.FromObject(context) };
        var result = await RequestAsync(McpMethods.CompletionComplete, _ => parameters, cancellationToken).ConfigureAwait(false);
        return Parse<CompleteResult>(result, McpMethods.CompletionComplete).Completion;
    }

    /// <summary>
    /// From now on the server sends <c>notifications/message</c> at <paramref name="level"/> and above. 2025 era:
    /// <c>logging/setLevel</c>. 2026 era (which removed it): every later request carries the level in its <c>_meta</c>,
    /// and log entries come on that request's own stream.
    /// </summary>
    /// <exception cref="McpProtocolException">The server refused the level (2025 era: -32602 for a name that is not a level).</exception>
    public async Task SetLoggingLevelAsync(string level, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(level);
        if (_modern)
        {
            Volatile.Write(ref _logLevel, level);
            return;
        }
        await RequestAsync(McpMethods.LoggingSetLevel, _ => new JObject { ["level"] = level }, cancellationToken).ConfigureAwait(false);
    }
}
