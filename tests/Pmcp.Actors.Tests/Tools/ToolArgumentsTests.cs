using System.Text;
using System.Text.Json;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;

namespace Pmcp.Actors.Tests.Tools;

/// <summary>
/// A tool's arguments as the client sent them (<see cref="ToolArguments"/>): kept as UTF-8 by the message's parse, read
/// without a Json.NET object, and the same arguments as the object when one is asked for.
/// </summary>
public sealed class ToolArgumentsTests
{
    private static string Call(string argumentsJson) =>
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"t\",\"arguments\":" + argumentsJson + "}}";

    /// <summary>Arguments as the server reads them from a WebSocket frame or a POST body: from the message's bytes.</summary>
    private static ToolArguments FromWire(string argumentsJson)
    {
        Assert.True(JsonRpcMessage.TryParseStrict(Encoding.UTF8.GetBytes(Call(argumentsJson)), out var message));
        return new ToolArguments(message.Arguments ?? throw new Xunit.Sdk.XunitException("the arguments were not kept: " + argumentsJson));
    }

    public static TheoryData<string> Objects => new()
    {
        """{}""",
        """{"text":"hello"}""",
        """{"text":"line\nbreak \"quoted\" \u00e9 \ud83d\ude00","n":-12.5e3,"big":123456789012345678901234567890}""",
        """{"nested":{"list":[1,true,null,{"deep":"x"}],"empty":[]},"flag":false}""",
        """{"text":"first","text":"second"}""",
        """{"t\u0065xt":"escaped name"}""",
        """{ "spaced" : [ 1 , 2 ] /* a comment */ }""",
        "{\"text\":\"h\u00e9llo w\u00f6rld \u6f22\u5b57\"}",
    };

    [Theory]
    [MemberData(nameof(Objects))]
    public void KeptArguments_AreTheObjectTheMessageLoads(string argumentsJson)
    {
        var expected = (JObject)McpJson.Parse(Call(argumentsJson))["params"]!["arguments"]!;
        var arguments = FromWire(argumentsJson);

        // Read back from the bytes kept, and as the tokens made from them: both are the loaded object.
        Assert.Equal(McpJson.ToText(expected), McpJson.ToText(McpJson.Parse(Encoding.UTF8.GetString(arguments.Utf8.Span))));
        Assert.Equal(McpJson.ToText(expected), McpJson.ToText(arguments.ToJObject()));
        Assert.Same(arguments.ToJObject(), arguments.ToJObject());
    }

    [Theory]
    [MemberData(nameof(Objects))]
    public void TryGetString_ReadsWhatTheObjectHolds(string argumentsJson)
    {
        var expected = (JObject)McpJson.Parse(Call(argumentsJson))["params"]!["arguments"]!;
        foreach (var name in expected.Properties().Select(p => p.Name).Append("absent"))
        {
            var fromBytes = FromWire(argumentsJson);
            var found = fromBytes.TryGetString(name, out var value);
            Assert.Equal(expected[name]?.Type == JTokenType.String, found);
            Assert.Equal(found ? (string?)expected[name] : null, value);
        }
    }

    [Fact]
    public void TryGetString_IsFalse_ForAMemberThatIsNotAString()
    {
        var arguments = FromWire("""{"n":1,"o":{"text":"inner"},"a":["x"],"z":null}""");
        Assert.False(arguments.TryGetString("n", out _));
        Assert.False(arguments.TryGetString("o", out _));
        Assert.False(arguments.TryGetString("a", out _));
        Assert.False(arguments.TryGetString("z", out _));
        Assert.False(arguments.TryGetString("text", out _)); // only the object's own members
    }

    [Fact]
    public void AChangeToTheObject_IsWhatLaterReadsSee()
    {
        var arguments = FromWire("""{"text":"sent"}""");
        arguments.ToJObject()["text"] = "changed";

        Assert.True(arguments.TryGetString("text", out var text));
        Assert.Equal("changed", text);
        Assert.Equal("""{"text":"changed"}""", arguments.ToString());
    }

    private sealed record Greeting(string Text, int Count, string[]? Tags);

    [Fact]
    public void Deserialize_ReadsATypedObject_WithWebNames_SkippingComments()
    {
        var arguments = FromWire("""{"text":"hi","COUNT":3,"tags":["a","b"] /* sent by a lenient client */}""");

        var greeting = arguments.Deserialize<Greeting>();

        Assert.Equal("hi", greeting!.Text);
        Assert.Equal(3, greeting.Count);
        Assert.Equal(["a", "b"], greeting.Tags!);
    }

    [Fact]
    public void Deserialize_TakesTheCallersOptions()
    {
        var arguments = FromWire("""{"Text":"hi","Count":2}""");
        var strict = new JsonSerializerOptions { PropertyNameCaseInsensitive = false };

        Assert.Equal(2, arguments.Deserialize<Greeting>(strict)!.Count);
        Assert.Throws<JsonException>(() => FromWire("""{"Text":"hi","Count":"two"}""").Deserialize<Greeting>(strict));
    }

    [Fact]
    public void Parse_TakesAnObject_AndRefusesAnythingElse()
    {
        var parsed = ToolArguments.Parse("""{"text":"x"}""");
        Assert.True(parsed.TryGetString("text", out var text));
        Assert.Equal("x", text);
        Assert.Equal("""{"text":"x"}""", parsed.ToString());
        Assert.Throws<ArgumentException>(() => ToolArguments.Parse("[1]"));
    }

    [Theory]
    [InlineData("""{"text":"\ud800"}""")] // an escaped lone surrogate: only Json.NET reads it
    [InlineData("""[1,2]""")] // not an object: refused by the session, as before
    [InlineData("""null""")]
    public void ArgumentsNotKept_AreReadAsBefore(string argumentsJson)
    {
        var text = Call(argumentsJson);
        var parsed = JsonRpcMessage.TryParse(text, out var message, out _, out _);
        Assert.Equal(JsonRpcMessage.TryFrom(McpJson.Parse(text), out var loaded, out _, out _), parsed);
        Assert.Null(message!.Arguments);
        Assert.Equal(McpJson.ToText(loaded!.Param("arguments")!), McpJson.ToText(message.Param("arguments")!));
    }

    /// <summary>
    /// The benchmarks' echo call read as the echo tool reads it (its text from the bytes) makes no tokens for its
    /// arguments: at least the object, its dictionary, a property and a value fewer than reading <c>arguments</c> as a
    /// token, which is what every call cost before (issue 29).
    /// </summary>
    [Fact]
    public void EchoCall_ReadFromItsBytes_MakesNoTokensForItsArguments()
    {
        var utf8 = Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello from the load generator"}}}""");

        var fromBytes = BytesPer(() => JsonRpcMessage.TryParseStrict(utf8, out var m) && new ToolArguments(m.Arguments!).TryGetString("text", out _));
        var asTokens = BytesPer(() => JsonRpcMessage.TryParseStrict(utf8, out var m) && m.Param("arguments")?["text"] is not null);

        Assert.True(asTokens - fromBytes >= 300, $"{fromBytes} B a call read from its bytes against {asTokens} B as tokens");
    }

    private static long BytesPer(Func<bool> read)
    {
        for (var i = 0; i < 1000; i++) Check(read());
        const int Reads = 10_000;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Reads; i++) Check(read());
        return (GC.GetAllocatedBytesForCurrentThread() - before) / Reads;

        static void Check(bool read)
        {
            if (!read) throw new Xunit.Sdk.XunitException("the call did not read as sent");
        }
    }

    [Fact]
    public void SettingTheHandler_ReplacesTheArgumentsHandler()
    {
        var tool = McpToolDefinition.ForArguments("t", McpToolDefinition.EmptyInputSchema(), (_, _) => Task.FromResult(CallToolResult.Text("bytes")));
        Assert.NotNull(tool.ArgumentsHandler);

        var replaced = tool with { Handler = (_, _) => Task.FromResult(CallToolResult.Text("object")) };
        var described = tool with { Description = "still the same handler" };

        Assert.Null(replaced.ArgumentsHandler);
        Assert.Same(tool.ArgumentsHandler, described.ArgumentsHandler);
    }
}
