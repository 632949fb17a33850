using Newtonsoft.Json.Linq;

namespace Pmcp.Actors.Tests.Robustness;

/// <summary>What the README's "Outcomes" tables say one fuzz input must get.</summary>
internal abstract record Expectation
{
    /// <summary>The id the answer carries, when the answer has a readable id.</summary>
    public virtual JToken? Id => null;
}

/// <summary>A JSON-RPC error with this code, echoing the request's id.</summary>
internal sealed record ErrorWithId(JToken RequestId, int Code) : Expectation
{
    public override JToken? Id => RequestId;
}

/// <summary>A JSON-RPC error with this code and <c>id: null</c>.</summary>
internal sealed record ErrorWithNullId(int Code) : Expectation;

/// <summary>A result (not an error); <paramref name="Check"/> returns why the result is wrong, or null.</summary>
internal sealed record Success(JToken RequestId, Func<JObject, string?>? Check = null) : Expectation
{
    public override JToken? Id => RequestId;
}

/// <summary>A tools/call result with <c>isError: true</c>.</summary>
internal sealed record ToolError(JToken RequestId) : Expectation
{
    public override JToken? Id => RequestId;
}

/// <summary>Nothing at all (notifications, responses from the client).</summary>
internal sealed record NoAnswer : Expectation
{
    public static readonly NoAnswer Instance = new();
}

/// <summary>One input: its class (for the counts), the text sent as one text frame, and its documented answer.</summary>
internal sealed record FuzzCase(string Class, string Text, Expectation Expect)
{
    public override string ToString() => $"[{Class}] {(Text.Length <= 300 ? Text : Text[..300] + $"... ({Text.Length} chars)")}";
}
