using Newtonsoft.Json.Linq;
using Pmcp.Actors.Session;
using Pmcp.Protocol;

namespace Pmcp.Actors.Tests.Diagnostics;

/// <summary>
/// The <c>error.type</c> telemetry reads from a response the server wrote, without parsing it: decided from the
/// envelope's own member, whatever the result or the error's data contain.
/// </summary>
public sealed class ResponseOutcomeTests
{
    [Fact]
    public void AResult_IsASuccess_EvenWhenItsTextMentionsAnError()
    {
        var json = JsonRpcWriter.ResultRaw(new RequestId(7), new JObject
        {
            ["content"] = new JArray(new JObject { ["type"] = "text", ["text"] = ",\"error\":{\"code\":-32603} and \"isError\":true}}" }),
        }.ToString(Newtonsoft.Json.Formatting.None));

        Assert.Equal((null, null), ResponseOutcome.Of(json));
    }

    [Fact]
    public void AnError_IsItsCode_EvenWhenItsDataHoldsAResultMember()
    {
        var json = JsonRpcWriter.Error(new RequestId("a"), new JsonRpcError(-32602, "bad", new JObject { ["result"] = 1 }));

        Assert.Equal(("-32602", "JSON-RPC error -32602"), ResponseOutcome.Of(json));
    }

    [Fact]
    public void AToolThatFailed_IsAToolError()
    {
        var json = JsonRpcWriter.ResultRaw(new RequestId(1), "{\"content\":[],\"isError\":true}");

        Assert.Equal("tool_error", ResponseOutcome.Of(json).ErrorType);
    }
}
