using Newtonsoft.Json.Linq;
using Pmcp.Actors.Session.Era2026;

namespace Pmcp.Actors.Tests.Session;

/// <summary>
/// The 2026 result members added in the text: the same response a parse and rewrite of its tokens gives (the way it was
/// done before), and no answer at all (the caller then takes the token path) for a response the scan does not follow.
/// </summary>
public sealed class ResultMembersTests
{
    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"a } \" { ] , [ \\"}],"isError":false}}""", false)]
    [InlineData("""{"jsonrpc":"2.0","id":"x","result":{}}""", false)]
    [InlineData("""{"jsonrpc":"2.0","id":"x","result":{}}""", true)]
    [InlineData("""{ "jsonrpc" : "2.0" , "id" : 7 , "result" : { "n" : 1.5e3 , "b" : true , "z" : null , "o" : { "result" : {} } } }""", false)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"result":{"tools":[],"nextCursor":"c"}}""", true)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"result":{"tools":[],"ttlMs":5,"cacheScope":"public"}}""", true)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"result":{"resultType":"task","task":{"taskId":"t"}}}""", false)]
    [InlineData("""{"result":{"a":[[],[{}],"]"]},"id":2,"jsonrpc":"2.0"}""", false)]
    public void Complete_GivesTheResponseTheTokenPathGives(string response, bool cacheable)
    {
        var completed = ResultMembers.Complete(response, cacheable, 60_000, "private");

        Assert.NotNull(completed);
        Assert.True(JToken.DeepEquals(ByTokens(response, cacheable), JObject.Parse(completed)), completed);
    }

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"no"}}""")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"result":null}""")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"result":[1,2]}""")]
    public void Complete_LeavesAResponseWithoutAnObjectResultAsItIs(string response) =>
        Assert.Same(response, ResultMembers.Complete(response, cacheable: true, 1, "public"));

    [Fact]
    public void Complete_LeavesAResultThatHasEveryMemberAsItIs()
    {
        const string response = """{"jsonrpc":"2.0","id":1,"result":{"resultType":"complete"}}""";
        Assert.Same(response, ResultMembers.Complete(response, cacheable: false, 1, "public"));
    }

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":1,"result":{"result\u0054ype":"task"}}""")] // a name written with an escape
    [InlineData("""{"jsonrpc":"2.0","id":1,"result":{"a":1""")] // cut short
    [InlineData("""{"jsonrpc":"2.0","id":1,"result":{"a" 1}}""")]
    [InlineData("""[{"result":{}}]""")]
    [InlineData("")]
    public void Complete_SaysNothing_WhenTheScanCannotFollowTheResponse(string response) =>
        Assert.Null(ResultMembers.Complete(response, cacheable: false, 1, "public"));

    /// <summary>What the era did before the scan: parse, add what is missing, write again.</summary>
    private static JObject ByTokens(string response, bool cacheable)
    {
        var parsed = JObject.Parse(response);
        var result = (JObject)parsed["result"]!;
        result["resultType"] ??= "complete";
        if (cacheable)
        {
            result["ttlMs"] ??= 60_000L;
            result["cacheScope"] ??= "private";
        }
        return parsed;
    }
}
