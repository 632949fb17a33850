using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Xunit.Sdk;

namespace Pmcp.Actors.Tests.Support;

/// <summary>
/// One text message the server sent, as it came (<see cref="Raw"/>) and parsed (<see cref="Json"/>), with its
/// place in the order of arrival on its socket and the time it arrived (since the client connected).
/// </summary>
internal sealed record WireMessage(string Raw, JObject Json, long Sequence, TimeSpan ReceivedAt)
{
    public JToken? Id => Json["id"];

    public string? Method => (string?)Json["method"];

    public JObject? Params => Json["params"] as JObject;

    public JObject? Result => Json["result"] as JObject;

    public JObject? Error => Json["error"] as JObject;

    public int? ErrorCode => (int?)Error?["code"];

    /// <summary>True for a <c>tools/call</c> result with <c>isError: true</c>.</summary>
    public bool IsToolError => (bool?)Result?["isError"] == true;

    /// <summary>The text of the first text block of a <c>tools/call</c> result.</summary>
    public string? FirstText =>
        (string?)(Result?["content"] as JArray)?.FirstOrDefault(c => (string?)c["type"] == "text")?["text"];

    /// <summary>Throws, showing the raw message, unless this is a success response.</summary>
    public WireMessage EnsureSuccess()
    {
        if (Result is null)
        {
            throw new XunitException($"Expected a success response, got: {Raw}");
        }

        return this;
    }

    /// <summary>The text of a successful, non-error tool result; throws, showing the raw message, otherwise.</summary>
    public string ToolText()
    {
        EnsureSuccess();
        if (IsToolError || FirstText is null)
        {
            throw new XunitException($"Expected a tool result with text, got: {Raw}");
        }

        return FirstText;
    }

    /// <summary>An id as a dictionary key that keeps its JSON kind: <c>0</c> and <c>"0"</c> differ.</summary>
    public static string IdKey(JToken id) => id.ToString(Formatting.None);

    public override string ToString() => $"#{Sequence} @{ReceivedAt.TotalMilliseconds:0} ms {Raw}";
}

/// <summary>How the socket ended, as the client saw it: the server's close frame, or an abort/reset.</summary>
internal sealed record CloseInfo(System.Net.WebSockets.WebSocketCloseStatus? Status, string? Description, Exception? Error, TimeSpan At)
{
    /// <summary>The connection ended without a close frame (reset, abort).</summary>
    public bool Aborted => Error is not null;

    public override string ToString() => Aborted
        ? $"aborted @{At.TotalMilliseconds:0} ms: {Error!.GetType().Name}: {Error.Message}"
        : $"closed {(int?)Status} ({Status}) \"{Description}\" @{At.TotalMilliseconds:0} ms";
}

/// <summary>A request that has been written to the socket and whose response may not have come yet.</summary>
internal sealed class PendingRequest(JToken id, string method, Task<WireMessage> response)
{
    public JToken Id { get; } = id;

    public string Method { get; } = method;

    public Task<WireMessage> Response { get; } = response;

    public Task<WireMessage> ResponseAsync(TimeSpan? timeout = null) =>
        Response.Within(timeout ?? Deadline.Default, $"the response to {Method} id {WireMessage.IdKey(Id)}");
}
