using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Pmcp.Protocol;

namespace Pmcp.Actors.Session.Era2026;

/// <summary>
/// One round of a 2026-07-28 multi-round-trip request (MRTR) on <c>tools/call</c>, <c>prompts/get</c> or
/// <c>resources/read</c>: the answers the handler may have (those of earlier rounds, carried in <c>requestState</c>,
/// and the retry's <c>inputResponses</c>), and what it asked that nobody answered yet. A handler that asked something
/// unanswered ends its request with an <c>InputRequiredResult</c>: its <c>inputRequests</c>, and a new sealed
/// <c>requestState</c> with every answer the handler used, so the next retry needs only the new answers.
/// </summary>
internal sealed class InputRound
{
    private readonly JObject _answers;
    private readonly JObject _used = [];
    private readonly JObject _asked = [];

    private InputRound(JObject answers) => _answers = answers;

    /// <summary>True once the handler asked something the round has no answer for.</summary>
    public bool AskedSomething => _asked.Count > 0;

    /// <summary>The answers the handler used, by input key: what a task it continues as is given (<see cref="Tools.TaskHandoff"/>).</summary>
    public JObject Used => _used;

    /// <summary>The methods that may answer with an <c>InputRequiredResult</c> (the spec's list, less the tasks extension's <c>tasks/result</c>).</summary>
    public static bool Serves(string method) => method is McpMethods.ToolsCall or McpMethods.PromptsGet or McpMethods.ResourcesRead;

    public static InputRound Empty() => new([]);

    /// <summary>
    /// Reads a retry's <c>inputResponses</c> and <c>requestState</c>; null (no round yet) when it has neither, and a
    /// -32602 refusal when either is malformed, the state was not signed by this server, belongs to another caller or
    /// request, has expired, or an input response answers a question the state never asked.
    /// </summary>
    public static InputRound? Read(JsonRpcMessage request, RequestBinding binding, McpServerOptions options, out JsonRpcError? refusal)
    {
        refusal = null;
        // Param, not Params: most requests have neither member, and Params would build the whole object to say so.
        var responsesToken = request.Param("inputResponses");
        var stateToken = request.Param("requestState");
        if (responsesToken is null && stateToken is null) return null;

        if (responsesToken is not null and not JObject || responsesToken is JObject given && given.Properties().Any(p => p.Value is not JObject))
        {
            refusal = Invalid("params.inputResponses must be an object whose values are the client's results (objects), by input key.");
            return null;
        }
        var responses = responsesToken as JObject ?? [];
        var answers = new JObject();
        if (stateToken is not null)
        {
            if (stateToken is not JValue { Type: JTokenType.String } text)
            {
                refusal = Invalid("params.requestState must be the string the server sent.");
                return null;
            }
            if (RequestStateSeal.Open(RequestStateKey.For(options), (string)text!) is not { } state)
            {
                refusal = Invalid("requestState failed its integrity check: it was not issued by this server, or it was changed.");
                return null;
            }
            if (state.Caller != binding.Caller)
            {
                refusal = Invalid("requestState was issued to another caller.");
                return null;
            }
            if (state.Method != binding.Method || state.Target != binding.Target || state.Arguments != binding.Arguments())
            {
                refusal = Invalid("requestState was issued for another request (its method, name, URI or arguments differ).");
                return null;
            }
            if (state.ExpiresAtMs < DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())
            {
                refusal = Invalid("requestState has expired: send the request again without it.");
                return null;
            }
            if (responses.Properties().FirstOrDefault(p => !state.Asked.Contains(p.Name, StringComparer.Ordinal)) is { } unasked)
            {
                refusal = Invalid($"inputResponses answers '{unasked.Name}', which this requestState did not ask for (it asked: {string.Join(", ", state.Asked)}).");
                return null;
            }
            answers.Merge(state.Answers);
        }
        // Without a state, the answers are the client's own input, like its arguments: what no question uses is ignored.
        answers.Merge(responses);
        return new InputRound(answers);
    }

    /// <summary>The answer to the question <paramref name="key"/>, as JSON, when the round has one; the handler used it.</summary>
    public string? Answer(string key)
    {
        if (_answers[key] is not { } answer) return null;
        _used[key] = answer;
        return answer.ToString(Formatting.None);
    }

    /// <summary>The handler asks <paramref name="method"/> under <paramref name="key"/>, which the round cannot answer: it goes into the <c>InputRequiredResult</c>.</summary>
    public void Ask(string key, string method, string? paramsJson)
    {
        if (_asked.ContainsKey(key)) return; // the first question under a key is the one asked
        var entry = new JObject { ["method"] = method };
        entry["params"] = paramsJson is null ? new JObject() : JToken.Parse(paramsJson);
        _asked[key] = entry;
    }

    /// <summary>The <c>InputRequiredResult</c> of this round, with the state the retry must echo.</summary>
    public JObject Result(RequestBinding binding, McpServerOptions options)
    {
        var state = new RequestStateContent(binding.Method, binding.Target, binding.Arguments(), binding.Caller,
            DateTimeOffset.UtcNow.Add(options.ClientRequestTimeout).ToUnixTimeMilliseconds(),
            _asked.Properties().Select(p => p.Name).ToArray(), _used);
        return new JObject
        {
            ["resultType"] = "input_required",
            ["inputRequests"] = _asked,
            ["requestState"] = RequestStateSeal.Seal(RequestStateKey.For(options), state),
        };
    }

    private static JsonRpcError Invalid(string why) => new(JsonRpcErrorCodes.InvalidParams, "Invalid params: " + why);
}

/// <summary>What a <c>requestState</c> is bound to: the request (method, name or URI, arguments) and its caller.</summary>
internal sealed record RequestBinding(string Method, string Target, string Caller)
{
    private string? _arguments;

    // The request's arguments as they were when it was opened: kept as its bytes, their tokens made only when a state is
    // issued or checked (most requests never ask their client, issue 29), or else the token itself. Taken then, not read
    // from the request later, which may by then have handed the object to its tool.
    private JsonRpcMessage.KeptArguments? _kept;
    private JToken? _token;

    public JToken? ArgumentsToken => _kept?.Object ?? _token;

    public string Arguments() => _arguments ??= RequestStateSeal.ArgumentsDigest(ArgumentsToken);

    public static RequestBinding Of(JsonRpcMessage request, string caller)
    {
        var method = request.Method!;
        var target = method == McpMethods.ResourcesRead ? request.Param("uri") : request.Param("name");
        var kept = request.Arguments;
        return new RequestBinding(method, target is JValue { Type: JTokenType.String } text ? (string)text! : "", caller)
        {
            _kept = kept,
            _token = kept is null ? request.Param("arguments") : null,
        };
    }
}
