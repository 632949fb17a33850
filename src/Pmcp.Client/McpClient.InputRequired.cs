using Newtonsoft.Json.Linq;
using Pmcp.Protocol;

namespace Pmcp.Client;

/// <summary>
/// Multi round-trip requests (MCP 2026-07-28): a <c>tools/call</c>, <c>prompts/get</c> or <c>resources/read</c>
/// answered <c>input_required</c> is retried, as a new request, with the answers of the client's own handlers to the
/// server's <c>inputRequests</c> and the server's <c>requestState</c> echoed untouched.
/// </summary>
public sealed partial class McpClient
{
    private async Task<JToken> RequestWithInputAsync(string method, JObject parameters, string? name, IProgress<ProgressParams>? progress,
        CancellationToken cancellationToken, IReadOnlyList<KeyValuePair<string, string>>? headers = null)
    {
        JObject? inputResponses = null;
        string? requestState = null;
        for (var round = 1; ; round++)
        {
            var result = await RequestAsync(method, id =>
            {
                var p = (JObject)parameters.DeepClone();
                if (progress is not null) p["_meta"] = new JObject { ["progressToken"] = id.ToToken() };
                if (inputResponses is not null) p["inputResponses"] = inputResponses;
                if (requestState is not null) p["requestState"] = requestState;
                return p;
            }, cancellationToken, progress, name, headers: headers).ConfigureAwait(false);

            if (!_modern || result is not JObject answer || (string?)answer["resultType"] != ModernProtocol.InputRequired) return result;
            if (round >= _options.MaxInputRounds)
            {
                throw new McpException($"The server answered '{method}' input_required {round} times in a row; "
                    + $"the client stopped there (MaxInputRounds is {_options.MaxInputRounds}).");
            }
            requestState = (string?)answer["requestState"];
            inputResponses = answer["inputRequests"] is JObject requests
                ? await AnswerInputRequestsAsync(method, requests, cancellationToken).ConfigureAwait(false)
                : null;
        }
    }

    /// <summary>Runs the handler of each input request (all at once) and returns their results under the server's keys.</summary>
    private async Task<JObject> AnswerInputRequestsAsync(string method, JObject requests, CancellationToken cancellationToken)
    {
        var answers = await Task.WhenAll(requests.Properties().Select(async request =>
        {
            var asked = (request.Value as JObject)?["method"]?.ToString()
                ?? throw new McpException($"The server's input request '{request.Name}' for '{method}' names no method.");
            if (!_requestHandlers.TryGetValue(asked, out var handler))
            {
                throw new McpException($"The server's answer to '{method}' asks for '{asked}' input, which this client has no handler for "
                    + "(and did not declare).");
            }
            try
            {
                var value = await handler(request.Value["params"] as JObject, cancellationToken).ConfigureAwait(false);
                return (request.Name, Value: value ?? new JObject());
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogHandlerFailed(_logger, asked, ex);
                throw new McpException($"The client's {asked} handler failed while answering the server's input request for '{method}': {ex.Message}", ex);
            }
        })).ConfigureAwait(false);

        var responses = new JObject();
        foreach (var (key, value) in answers) responses[key] = value;
        return responses;
    }
}
