using Newtonsoft.Json.Linq;
using Pmcp.Protocol;

namespace Pmcp.Actors.Tests.Robustness;

/// <summary>
/// A tool's result is written by <c>CallToolResult.WriteTo</c>, not by the serializer's reflection. These pin the text
/// it gives for every kind of content and member, alone and inside a response, and that clients read it back.
/// </summary>
public sealed class ResultWritingTests
{
    public static TheoryData<string, string> Results() => new()
    {
        { "text", """{"content":[{"type":"text","text":"hi \"there\"\n"}]}""" },
        { "error", """{"content":[{"type":"text","text":"boom"}],"isError":true}""" },
        { "not an error", """{"content":[],"isError":false}""" },
        { "no content", """{}""" },
        { "media", """{"content":[{"type":"image","data":"aGk=","mimeType":"image/png"},{"type":"audio","data":"AA==","mimeType":"audio/wav"}]}""" },
        { "links", """{"content":[{"type":"resource_link","uri":"file:///a","name":"a"},{"type":"resource_link","uri":"file:///b","name":"b","mimeType":"text/plain"}]}""" },
        { "embedded", """{"content":[{"type":"resource","resource":{"uri":"file:///a","text":"x"}}]}""" },
        { "unknown kind", """{"content":[{"type":"hologram","z":[1,2],"type2":null}]}""" },
        { "a null block", """{"content":[null]}""" },
        { "structured", """{"content":[{"type":"text","text":"{}"}],"structuredContent":{"n":1.5,"big":1E+300,"s":"2024-01-01T00:00:00Z","a":[true,null]}}""" },
    };

    private static CallToolResult Make(string kind) => kind switch
    {
        "text" => CallToolResult.Text("hi \"there\"\n"),
        "error" => CallToolResult.Error("boom"),
        "not an error" => new CallToolResult { IsError = false },
        "no content" => new CallToolResult { Content = null! },
        "media" => new CallToolResult { Content = [new ImageContent("aGk=", "image/png"), new AudioContent("AA==", "audio/wav")] },
        "links" => new CallToolResult { Content = [new ResourceLink("file:///a", "a"), new ResourceLink("file:///b", "b") { MimeType = "text/plain" }] },
        "embedded" => new CallToolResult { Content = [new EmbeddedResource(new JObject { ["uri"] = "file:///a", ["text"] = "x" })] },
        "unknown kind" => new CallToolResult { Content = [new UnknownContent(JObject.Parse("""{"type":"hologram","z":[1,2],"type2":null}"""))] },
        "a null block" => new CallToolResult { Content = [null!] },
        "structured" => new CallToolResult
        {
            Content = [new TextContent("{}")],
            StructuredContent = (JObject)McpJson.Parse("""{"n":1.5,"big":1e300,"s":"2024-01-01T00:00:00Z","a":[true,null]}"""),
        },
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [Theory]
    [MemberData(nameof(Results))]
    public void Result_IsWrittenAsTheWireHasIt(string kind, string expected)
    {
        var result = Make(kind);

        Assert.Equal(expected, McpJson.Serialize(result));
        // Inside other objects the serializer takes the same writer.
        Assert.Equal("""{"jsonrpc":"2.0","id":7,"result":""" + expected + "}", JsonRpcWriter.Result(new RequestId(7), result));
        Assert.Equal(expected, McpJson.ToText(McpJson.ToToken(result)));
    }

    [Theory]
    [MemberData(nameof(Results))]
    public void Result_WithAResultType_EndsWithIt_Once(string kind, string expected)
    {
        var response = JsonRpcWriter.Result(new RequestId(7), Make(kind), "complete");

        // The member goes last in the result, after a comma unless the result was empty.
        var withType = expected == "{}" ? """{"resultType":"complete"}""" : expected[..^1] + ""","resultType":"complete"}""";
        Assert.Equal("""{"jsonrpc":"2.0","id":7,"result":""" + withType + "}", response);
    }

    [Fact]
    public void Result_OtherThanAToolsOwn_IsWrittenAsItIs_EvenWithAResultType()
    {
        // Only a CallToolResult writes the member itself; any other result is completed by its era afterwards.
        var response = JsonRpcWriter.Result(new RequestId(1), new JObject { ["resultType"] = "input_required" }, "complete");

        Assert.Equal("""{"jsonrpc":"2.0","id":1,"result":{"resultType":"input_required"}}""", response);
    }

    public static TheoryData<RequestId> Ids() => [new(0), new(7), new(-12), new(long.MaxValue), new(long.MinValue), new("a"), new("quote \" and \\ and \u0001")];

    [Theory]
    [MemberData(nameof(Ids))]
    public void ResponseAroundWrittenResult_IsTheWritersResponse(RequestId id)
    {
        var result = CallToolResult.Text("x");

        Assert.Equal(JsonRpcWriter.Result(id, result), JsonRpcWriter.ResultRaw(id, McpJson.Serialize(result)));
    }

    // A null block and a null content list are what a tool may return, not what a client reads back (it gets []).
    public static TheoryData<string> ReadableTexts()
    {
        var readable = new TheoryData<string>();
        foreach (var row in Results())
        {
            if ((string)row[0] is not ("a null block" or "no content")) readable.Add((string)row[1]);
        }
        return readable;
    }

    [Theory]
    [MemberData(nameof(ReadableTexts))]
    public void WrittenResult_ReadsBackAsTheSameResult(string expected)
    {
        var read = McpJson.ToObject<CallToolResult>(McpJson.Parse(expected));

        Assert.Equal(expected, McpJson.Serialize(read));
    }
}
