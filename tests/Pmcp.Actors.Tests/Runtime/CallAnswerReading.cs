using Newtonsoft.Json.Linq;
using Pmcp.Actors.Messages;
using Pmcp.Actors.Runtime;

namespace Pmcp.Actors.Tests.Runtime;

/// <summary>What a spec reads from a call's one answer (<see cref="ToolRouterProtocol.CallAnswered"/>, the whole JSON-RPC response).</summary>
internal static class CallAnswerReading
{
    /// <summary>The response's result; fails the spec when it is an error.</summary>
    public static JObject Result(this ToolRouterProtocol.CallAnswered answer) =>
        JObject.Parse(answer.ResponseJson)["result"] as JObject ?? throw new Xunit.Sdk.XunitException($"expected a result, got {answer.ResponseJson}");

    /// <summary>The response's error code; fails the spec when it is a result.</summary>
    public static int ErrorCode(this ToolRouterProtocol.CallAnswered answer) =>
        (int?)JObject.Parse(answer.ResponseJson)["error"]?["code"] ?? throw new Xunit.Sdk.XunitException($"expected an error, got {answer.ResponseJson}");
}
