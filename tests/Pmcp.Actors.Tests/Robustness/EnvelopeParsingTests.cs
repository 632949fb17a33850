using System.Text;
using System.Globalization;
using Newtonsoft.Json.Linq;
using Pmcp.Protocol;

namespace Pmcp.Actors.Tests.Robustness;

/// <summary>
/// <see cref="JsonRpcMessage.TryParse"/> reads the envelope member by member instead of loading the whole text as an
/// object. Every verdict must be the one the object route gives (<see cref="JsonRpcMessage.TryFrom"/> on
/// <see cref="McpJson.Parse"/>): the same message or the same error and id, and -32700 for text that is not JSON. Two
/// exceptions, where loading is not what a server should do: a member of the envelope or of params given twice is
/// refused (-32600; loading keeps the last), and an integer longer than Json.NET reads is a number, not a parse error.
/// </summary>
public sealed partial class EnvelopeParsingTests
{
    public static TheoryData<string> Messages() =>
    [
        """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}}""",
        """{"jsonrpc":"2.0","method":"notifications/initialized"}""",
        """{"jsonrpc":"2.0","id":"a","result":{"x":[1,2,{"y":null}]}}""",
        """{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"bad","data":{"k":1}}}""",
        """{"jsonrpc":"2.0","error":{"code":-32600,"message":"no id"}}""",
        """{"id":7,"method":"ping","jsonrpc":"2.0","params":null}""",
        """{"jsonrpc":"2.0","id":1,"method":"a","method":"b"}""",
        """{"jsonrpc":"2.0","id":1,"id":"two","method":"ping"}""",
        """{"jsonrpc":"2.0","id":1,"method":"ping","params":{"a":1},"params":{"b":2}}""",
        """/* lead */ {"jsonrpc":"2.0", /* between */ "id":1, "method": /* before a value */ "ping"} // trailing""",
        """{"jsonrpc":"2.0","id":1,"method":"ping","extra":{"deep":[[[{"a":[1,2,3]}]]]},"more":"x"}""",
        """{"jsonrpc":"2.0","id":1,"method":"ping","params":[1,2]}""",
        """{"jsonrpc":"2.0","id":1,"method":"ping","params":"text"}""",
        """{"jsonrpc":"2.0","id":1.5,"method":"ping"}""",
        """{"jsonrpc":"2.0","id":true,"method":"ping"}""",
        """{"jsonrpc":"2.0","id":null,"method":"ping"}""",
        """{"jsonrpc":"2.0","id":1,"method":null}""",
        """{"jsonrpc":"2.0","id":1,"method":3}""",
        """{"jsonrpc":2.0,"id":1,"method":"ping"}""",
        """{"id":1,"method":"ping"}""",
        """{"jsonrpc":"2.0","id":1,"result":1,"error":{"code":1,"message":"m"}}""",
        """{"jsonrpc":"2.0","id":1,"result":null}""",
        """{"jsonrpc":"2.0","id":1,"error":{"code":"x","message":"m"}}""",
        """{"jsonrpc":"2.0","id":1}""",
        """{}""",
        """[{"jsonrpc":"2.0","id":1,"method":"ping"}]""",
        """42""",
        "  \"text\"  ",
        """{"jsonrpc":"2.0","id":99999999999999999999,"method":"ping"}""",
        """{"jsonrpc":"2.0","id":"2024-01-01T00:00:00Z","method":"ping"}""",
        """{"jsonrpc":"2.0","id":1,"method":"ping","params":{}}""",
        """{"jsonrpc":"2.0","id":1,"method":"ping","params":{"a":1},"params":null}""",
        """{"jsonrpc":"2.0","id":1,"method":"ping","params":null,"params":{"a":1}}""",
        """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"a","arguments":{"x":1},"name":"b","_meta":{"progressToken":5}}}""",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{ /* c */ \"name\": /* d */ \"echo\", \"arguments\":{\"x\":[1,{\"y\":2.5e400}]} // e\n}}",
        """{"jsonrpc":"2.0","id":1,"method":"x","params":{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"a":7,"g":"2024-01-01T00:00:00Z"}}""",
        // What Json.NET reads beyond strict JSON: the fast reader leaves these to it.
        """{'jsonrpc':'2.0','id':1,'method':'ping'}""",
        """{jsonrpc:"2.0",id:1,method:"ping"}""",
        """{"jsonrpc":"2.0","id":1,"method":"x","params":{"a":NaN,"b":Infinity}}""",
        """{"jsonrpc":"2.0","id":1,"method":"ping",}""",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\",\"params\":{\"a\":\"tab\there\"}}",
        // Escapes, numbers at the edges of Json.NET's types, repeated members deep down.
        """{"json\u0072pc":"2.0","id":"\u00e9\ud83d\ude00","method":"t\u006f\u006fls/call","params":{"n\u0061me":"echo","arguments":{"t":"a\nb\"c\\ \/"}}}""",
        """{"jsonrpc":"2.0","id":"\ud800","method":"ping"}""",
        """{"jsonrpc":"2.0","id":1,"method":"x","params":{"lone":"\udc00x"}}""",
        """{"jsonrpc":"2.0","id":-9223372036854775808,"method":"ping"}""",
        """{"jsonrpc":"2.0","id":9223372036854775808,"method":"ping"}""",
        """{"jsonrpc":"2.0","id":1,"method":"x","params":{"big":123456789012345678901234567890,"neg":-0,"negf":-0.0,"e":1E2,"small":1e-7,"tenth":0.1,"max":1.7976931348623157e308}}""",
        """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"a":1,"b":{"c":[true,false,null]},"a":{"z":"last"}}}}""",
        """{"jsonrpc":"2.0","id":1,"method":"ping","params":{"":""}}""",
        """{"jsonrpc":"2.0","id":1,"method":"ping","extra":""" + Nested(62) + "}",
        // params._meta, which the UTF-8 route keeps as text (ASCII, no escape in it) and the other routes read into tokens.
        """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"c","version":"1.0.0"},"io.modelcontextprotocol/clientCapabilities":{"sampling":{},"elicitation":{"form":{}},"extensions":{"io.modelcontextprotocol/tasks":{}}},"io.modelcontextprotocol/logLevel":"warning"}}}""",
        """{"jsonrpc":"2.0","id":1,"method":"x","params":{"_meta":{}}}""",
        """{"jsonrpc":"2.0","id":1,"method":"x","params":{"_meta":null}}""",
        """{"jsonrpc":"2.0","id":1,"method":"x","params":{"_meta":[1,{"a":2}]}}""",
        """{"jsonrpc":"2.0","id":1,"method":"x","params":{"_meta":"text"}}""",
        """{"jsonrpc":"2.0","id":1,"method":"x","params":{"_meta":{"progressToken":1,"progressToken":"two","n":null,"t":true,"f":2.5,"big":123456789012345678901234567890,"e":1e400,"arr":[[],{}],"d":"2024-01-01T00:00:00Z"}}}""",
        """{"jsonrpc":"2.0","id":1,"method":"x","params":{"_meta": /* c */ {"a": /* c */ {"b":[1, /* c */ 2]}},"name":"n"}}""",
        """{"jsonrpc":"2.0","id":1,"method":"x","params":{"_meta":{"k\u0061":"v"}}}""",
        """{"jsonrpc":"2.0","id":1,"method":"x","params":{"_meta":{"k":"a\nb"}}}""",
        """{"jsonrpc":"2.0","id":1,"method":"x","params":{"_meta":{"k":{"deep":"\ud800"}}}}""",
        """{"jsonrpc":"2.0","id":1,"method":"x","params":{"_meta":{"k":"é"},"name":"ü"}}""",
        """{"jsonrpc":"2.0","id":1,"method":"x","params":{"_meta":{"a":1},"_meta":{"b":2}}}""",
        """{"jsonrpc":"2.0","id":1,"method":"x","params":{"_meta":""" + Nested(60) + "}}",
    ];

    public static TheoryData<string> NotJson() =>
    [
        "",
        "   ",
        "{",
        """{"jsonrpc":"2.0","id":1,"method":"ping"} trailing""",
        """{"jsonrpc":"2.0","id":1,"method":"ping"}{}""",
        """{"jsonrpc":"2.0","id":1,"method":"ping",}x""",
        """{"jsonrpc":"2.0","id":1,"method":""",
        """{"jsonrpc":"2.0","id":1,"method":"ping","params":{"a":}}""",
        """{"jsonrpc" "2.0"}""",
        """{"jsonrpc":"2.0","id":1,"method":"ping","extra":""" + new string('[', 70) + new string(']', 70) + "}",
        """{"jsonrpc":"2.0","id":1,"method":"ping","params":""" + Nested(70) + "}",
        """{"jsonrpc":"2.0","id":1,"method":"ping","extra":""" + Nested(64) + "}",
        """{"jsonrpc":"2.0","id":1,"method":"ping"} /* unterminated""",
        "\uFEFF{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}",
    ];

    [Theory]
    [MemberData(nameof(Messages))]
    public void ValidJson_GetsTheVerdictOfTheObjectRoute(string text)
    {
        var streamed = JsonRpcMessage.TryParse(text, out var message, out var error, out var errorId);
        if (RepeatedMember(text) is { } repeated)
        {
            AssertRepeatedIsRefused(text, repeated, streamed, message, error, errorId);
            return;
        }
        var loaded = JsonRpcMessage.TryFrom(McpJson.Parse(text), out var expectedMessage, out var expectedError, out var expectedErrorId);

        Assert.Equal(loaded, streamed);
        Assert.Equal(Describe(expectedMessage), Describe(message));
        Assert.Equal(expectedError?.Code, error?.Code);
        Assert.Equal(expectedError?.Message, error?.Message);
        Assert.Equal(expectedErrorId, errorId);
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void EachParamsMember_IsTheMemberOfTheParamsObject(string text)
    {
        if (!JsonRpcMessage.TryParse(text, out var looked, out _, out _) || McpJson.Parse(text)["params"] is not JObject expected) return;

        // Looked up before the message made its params object, then compared with the object it makes.
        foreach (var member in expected.Properties())
            Assert.Equal(Text(member.Value), Text(looked!.Param(member.Name)));
        Assert.Null(looked!.Param("absent"));
        Assert.Equal(Text(expected), Text(looked.Params));
        foreach (var member in expected.Properties())
            Assert.Same(looked.Params![member.Name], looked.Param(member.Name));
    }

    /// <summary>
    /// The members of <c>params._meta</c> read one by one (<see cref="JsonRpcMessage.MetaMember"/>,
    /// <see cref="JsonRpcMessage.MetaToken"/>: the UTF-8 route makes no tokens for them) are those of the loaded object,
    /// before and after the message made its params object.
    /// </summary>
    [Theory]
    [MemberData(nameof(Messages))]
    public void MetaMembers_AreTheMembersOfTheLoadedMeta(string text)
    {
        if (!JsonRpcMessage.TryParse(text, out var message, out _, out _) || message!.Kind is not (JsonRpcMessageKind.Request or JsonRpcMessageKind.Notification)) return;
        var expected = (McpJson.Parse(text)["params"] as JObject)?["_meta"];

        AssertMetaMembersAre(expected, message, text);
        _ = message.Params;
        AssertMetaMembersAre(expected, message, text);

        // And read from its bytes, where _meta is kept as a copy of them.
        if (JsonRpcMessage.TryParseStrict(Encoding.UTF8.GetBytes(text), out var fromBytes))
        {
            AssertMetaMembersAre(expected, fromBytes, text);
            _ = fromBytes.Params;
            AssertMetaMembersAre(expected, fromBytes, text);
        }
    }

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}}""")]
    [InlineData("""{"jsonrpc":"2.0","method":"notifications/initialized"}""")]
    [InlineData("""{"jsonrpc":"2.0","id":"a","result":{"x":[1,2.5,{"y":null}]}}""")]
    [InlineData("""/* c */ {"jsonrpc":"2.0","id":1,"method":"ping","params":null} // c""")]
    [InlineData("""{"json\u0072pc":"2.0","id":"\u00e9","method":"ping","params":{"a":{"b":[true,false]},"a":-0.0}}""")]
    [InlineData("""{"jsonrpc":"2.0","id":99999999999999999999,"method":"ping"}""")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"x","params":{"y":2.5e400,"z":-1e999999}}""")]
    public void StrictJson_IsReadByTheUtf8Route(string text) => Assert.True(JsonRpcMessage.ReadsStrictly(text));

    [Theory]
    [InlineData("""{'jsonrpc':'2.0','id':1,'method':'ping'}""")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"ping",}""")]
    [InlineData("""[{"jsonrpc":"2.0","id":1,"method":"ping"}]""")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"ping"} trailing""")]
    public void TextJsonNetReadsOtherwise_IsLeftToIt(string text) => Assert.False(JsonRpcMessage.ReadsStrictly(text));

    [Theory]
    [MemberData(nameof(NotJson))]
    public void TextThatIsNotJson_IsAParseError(string text)
    {
        Assert.ThrowsAny<Newtonsoft.Json.JsonReaderException>(() => McpJson.Parse(text));

        Assert.False(JsonRpcMessage.TryParse(text, out var message, out var error, out var errorId));
        Assert.Null(message);
        Assert.Null(errorId);
        Assert.Equal(JsonRpcErrorCodes.ParseError, error!.Code);
        Assert.StartsWith("Parse error: ", error.Message);
    }

    private static void AssertSameVerdict(string text)
    {
        JToken? token;
        try
        {
            token = McpJson.Parse(text);
        }
        catch (Newtonsoft.Json.JsonReaderException)
        {
            token = null;
        }

        var parsed = JsonRpcMessage.TryParse(text, out var message, out var error, out var errorId);
        if (token is null)
        {
            Assert.False(parsed, text);
            Assert.Equal(JsonRpcErrorCodes.ParseError, error!.Code);
            Assert.Null(errorId);
            return;
        }

        if (RepeatedMember(text) is { } repeated)
        {
            AssertRepeatedIsRefused(text, repeated, parsed, message, error, errorId);
            return;
        }

        if (message is { Kind: JsonRpcMessageKind.Request or JsonRpcMessageKind.Notification })
            AssertMetaMembersAre((token["params"] as JObject)?["_meta"], message, text); // before anything makes params whole
        var loaded = JsonRpcMessage.TryFrom(token, out var expectedMessage, out var expectedError, out var expectedErrorId);
        Assert.True(loaded == parsed, text);
        Assert.True(Describe(expectedMessage) == Describe(message), text);
        Assert.True(expectedError?.Message == error?.Message, text);
        Assert.True(expectedErrorId == errorId, text);
        if (token["params"] is JObject expectedParams && message is not null)
            Assert.True(Text(expectedParams) == Text(message.Params), text);
        AssertBytesReadAsText(text, token);
    }

    /// <summary>
    /// Read from its UTF-8 bytes (<see cref="JsonRpcMessage.TryParseStrict"/>, as a POST body or a large WebSocket frame
    /// is), a message is the one the object route loads, its <c>_meta</c> members included (kept there as a copy of their
    /// bytes); what that reader does not take, it leaves to the text route (false), never a different verdict.
    /// </summary>
    private static void AssertBytesReadAsText(string text, JToken token)
    {
        byte[] utf8;
        try
        {
            utf8 = new UTF8Encoding(false, throwOnInvalidBytes: true).GetBytes(text);
        }
        catch (EncoderFallbackException)
        {
            return; // a lone surrogate: no UTF-8 form to read
        }
        if (!JsonRpcMessage.TryParseStrict(utf8, out var fromBytes)) return;

        Assert.True(JsonRpcMessage.TryFrom(token, out var expected, out _, out _), text);
        Assert.True(Describe(expected) == Describe(fromBytes), text);
        if (fromBytes.Kind is JsonRpcMessageKind.Request or JsonRpcMessageKind.Notification)
            AssertMetaMembersAre((token["params"] as JObject)?["_meta"], fromBytes, text);
        if (token["params"] is JObject expectedParams)
            Assert.True(Text(expectedParams) == Text(fromBytes.Params), text);
    }

    /// <summary>What <paramref name="message"/> says of each member of <c>params._meta</c> is what the loaded <paramref name="expected"/> holds.</summary>
    private static void AssertMetaMembersAre(JToken? expected, JsonRpcMessage message, string text)
    {
        Assert.True((expected?.Type ?? JTokenType.None) == message.MetaType, text);
        var names = expected is JObject meta ? meta.Properties().Select(p => p.Name).Append("absent") : ["progressToken"];
        foreach (var name in names.ToList())
        {
            var member = (expected as JObject)?[name];
            var type = message.MetaMember(name, out var memberText);
            Assert.True((member?.Type ?? JTokenType.None) == type, $"{text}: {name} is {type}");
            Assert.True((member?.Type == JTokenType.String ? (string?)member : null) == memberText, $"{text}: {name} reads '{memberText}'");
            Assert.True(Text(member) == Text(message.MetaToken(name)), $"{text}: {name}'s token");
        }
    }

    /// <summary>Refused with -32600 naming the member, and the id echoed when it is valid and was not itself repeated.</summary>
    private static void AssertRepeatedIsRefused(string text, string repeated, bool parsed, JsonRpcMessage? message, JsonRpcError? error, RequestId? errorId)
    {
        Assert.False(parsed, text);
        Assert.Null(message);
        Assert.True(error!.Code == JsonRpcErrorCodes.InvalidRequest, text);
        Assert.True(error.Message == $"Invalid request: The member \"{repeated}\" is given more than once; each member of a message and of its params may appear once.", text + " -> " + error.Message);
        var id = repeated == "id" ? null : McpJson.Parse(text)["id"];
        Assert.True((RequestId.TryFrom(id, out var expected) ? expected : (RequestId?)null) == errorId, text);
    }

    /// <summary>
    /// The first member given twice, in reading order: of the envelope (its six names), or of the first params object
    /// (as <c>params.NAME</c>). Null when none is.
    /// </summary>
    private static string? RepeatedMember(string text)
    {
        string[] envelope = ["jsonrpc", "id", "method", "params", "result", "error"];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        HashSet<string>? paramNames = null;
        var inParams = false;
        var paramsDone = false;
        using var reader = new Newtonsoft.Json.JsonTextReader(new StringReader(text)) { DateParseHandling = Newtonsoft.Json.DateParseHandling.None, MaxDepth = null };
        while (reader.Read())
        {
            if (reader.TokenType == Newtonsoft.Json.JsonToken.PropertyName && reader.Depth == 1)
            {
                var name = (string)reader.Value!;
                if (envelope.Contains(name) && !seen.Add(name)) return name;
                if (name == "params" && !paramsDone)
                {
                    reader.Read();
                    inParams = reader.TokenType == Newtonsoft.Json.JsonToken.StartObject;
                    paramNames = inParams ? new HashSet<string>(StringComparer.Ordinal) : null;
                    paramsDone = true;
                    if (!inParams) reader.Skip();
                }
            }
            else if (inParams && reader.TokenType == Newtonsoft.Json.JsonToken.PropertyName && reader.Depth == 2)
            {
                var name = (string)reader.Value!;
                if (!paramNames!.Add(name)) return "params." + name;
            }
            else if (inParams && reader.TokenType == Newtonsoft.Json.JsonToken.EndObject && reader.Depth == 1)
            {
                inParams = false;
            }
        }
        return null;
    }

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"ping","method":"tools/call","params":{"name":"echo"}}""", "method", 1)]
    [InlineData("""{"method":"ping","jsonrpc":"2.0","id":"a","jsonrpc":"1.0"}""", "jsonrpc", "a")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"id":2,"method":"ping"}""", "id", null)]
    [InlineData("""{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","arguments":{},"name":"delete-everything"}}""", "params.name", 3)]
    [InlineData("""{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"echo"},"params":{"name":"other"}}""", "params", 4)]
    [InlineData("""{"jsonrpc":"2.0","id":5,"result":{},"result":{"x":1}}""", "result", 5)]
    public void RepeatedMember_IsAnInvalidRequest_NamingIt_OnBothRoutes(string text, string member, object? id)
    {
        // The same text with a comment Json.NET reads and the UTF-8 reader skips, and with single quotes the UTF-8 reader
        // leaves to Json.NET: both routes refuse it alike.
        foreach (var variant in new[] { text, "/* c */" + text, text.Replace("\"ping\"", "'ping'", StringComparison.Ordinal) })
        {
            Assert.False(JsonRpcMessage.TryParse(variant, out var message, out var error, out var errorId));
            Assert.Null(message);
            Assert.Equal(JsonRpcErrorCodes.InvalidRequest, error!.Code);
            Assert.Contains($"The member \"{member}\" is given more than once", error.Message, StringComparison.Ordinal);
            Assert.Equal(id switch { int n => new RequestId(n), string s => new RequestId(s), _ => (RequestId?)null }, errorId);
        }
    }

    [Fact]
    public void IntegerTooLongForJsonNet_AsTheId_IsAnInvalidRequestNamingIt()
    {
        var digits = "1" + new string('2', 400);
        Assert.False(JsonRpcMessage.TryParse($$"""{"jsonrpc":"2.0","id":{{digits}},"method":"ping"}""", out _, out var error, out var errorId));

        Assert.Equal(JsonRpcErrorCodes.InvalidRequest, error!.Code);
        Assert.Equal($"Invalid request: A request id must be a string or an integer of at most 64 bits, not {digits[..40]}… (401 characters).", error.Message);
        Assert.Null(errorId);
    }

    [Theory]
    [InlineData(20, JTokenType.Integer)]
    [InlineData(380, JTokenType.Integer)]
    [InlineData(381, JTokenType.Float)]
    [InlineData(100_000, JTokenType.Float)]
    public void LongIntegerInParams_IsANumber_NotAParseError(int length, JTokenType type)
    {
        var digits = "9" + new string('0', length - 1);
        Assert.True(JsonRpcMessage.TryParse("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","arguments":{"a":-""" + digits + ""","b":1}}}""", out var message, out var error, out _), error?.Message);

        var a = message!.Param("arguments")!["a"]!;
        Assert.Equal(type, a.Type);
        if (type == JTokenType.Integer) Assert.Equal(-System.Numerics.BigInteger.Parse(digits, System.Globalization.CultureInfo.InvariantCulture), a.Value<System.Numerics.BigInteger>());
        else Assert.Equal(double.NegativeInfinity, (double)a);
    }

    /// <summary>
    /// The envelope rules (repeated members, long numbers) cost the hot path no allocation: the echo call of the
    /// benchmarks still allocates what docs/benchmarks.md measured for the tuned reader (1,056 B per parse).
    /// </summary>
    [Fact]
    public void EchoCall_AllocatesNoMoreThanTheTunedReaderDid()
    {
        const string Text = """{"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello from the load generator"}}}""";
        for (var i = 0; i < 1000; i++) _ = JsonRpcMessage.TryParse(Text, out _, out _, out _);

        const int Parses = 10_000;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Parses; i++) _ = JsonRpcMessage.TryParse(Text, out _, out _, out _);
        var perParse = (GC.GetAllocatedBytesForCurrentThread() - before) / Parses;

        Assert.True(perParse <= 1056, $"{perParse} B per parse");
    }

    /// <summary>
    /// A 2026-07-28 request's <c>_meta</c> (the benchmarks' echo call's) is read by the server member by member from the
    /// text its parse kept, without the three objects and their dictionaries its tokens cost (issue 29); a request that is
    /// not ASCII keeps a copy of its <c>_meta</c>'s bytes instead, and costs about as little. The same request with an
    /// escape in its <c>_meta</c> reads it into tokens, as every request did before.
    /// </summary>
    [Fact]
    public void ModernEchoCall_ReadsItsMetaWithoutMakingItsTokens()
    {
        static string Call(string text, string client = "pmcp-loadgen") =>
            "{\"jsonrpc\":\"2.0\",\"id\":42,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"" + text + "\"}," +
            "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\",\"io.modelcontextprotocol/clientInfo\":{\"name\":\"" + client + "\",\"version\":\"1.0.0\"}," +
            "\"io.modelcontextprotocol/clientCapabilities\":{}}}}";

        var kept = BytesPerRead(Call("hello from the load generator"));
        var keptAsBytes = BytesPerRead(Call("héllo from the load generator"));
        var tokens = BytesPerRead(Call("hello from the load generator", client: "pmcp\\u002Dloadgen"));

        Assert.True(kept <= MaxKeptBytes, $"{kept} B per request with _meta kept as text");
        Assert.True(keptAsBytes <= MaxKeptBytes, $"{keptAsBytes} B per request with _meta kept as a copy of its bytes");
        Assert.True(tokens - kept >= MinSavedBytes, $"{kept} B kept against {tokens} B with _meta's tokens");
    }

    // Measured when _meta was first kept: 1,416 B a request kept as text, 3,064 B with its tokens (the echo call's own
    // parse is 1,056 B of each). The bounds leave room for what the JIT's tiering may change between runs (optimized code
    // can keep small objects off the heap, and when it is swapped in depends on the machine's load), and still fail if
    // _meta's tokens (about 1.6 KB) come back.
    private const long MaxKeptBytes = 2_000, MinSavedBytes = 1_000;

    /// <summary>What parsing <paramref name="text"/> and reading its <c>_meta</c> as a 2026 request's handling does allocates.</summary>
    private static long BytesPerRead(string text)
    {
        for (var i = 0; i < 1000; i++) Read();
        const int Reads = 10_000;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Reads; i++) Read();
        return (GC.GetAllocatedBytesForCurrentThread() - before) / Reads;

        // Checked without Assert, which allocates on every call.
        void Read()
        {
            // What the transport and the session read of it: its era, its version, its client's capabilities and
            // info, a log level, a progress token.
            var read = JsonRpcMessage.TryParse(text, out var message, out _, out _)
                && message!.MetaType == JTokenType.Object
                && message.MetaMember("io.modelcontextprotocol/protocolVersion", out var version) == JTokenType.String && version == "2026-07-28"
                && message.MetaMember("io.modelcontextprotocol/clientInfo", out _) == JTokenType.Object
                && message.MetaMember("io.modelcontextprotocol/logLevel", out _) == JTokenType.None
                && message.MetaToken("io.modelcontextprotocol/clientCapabilities") is JObject { Count: 0 }
                && message.MetaToken("progressToken") is null;
            if (!read) throw new Xunit.Sdk.XunitException("The request's _meta did not read as sent: " + text);
        }
    }

    private static string Nested(int depth) => string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);

    private static string? Describe(JsonRpcMessage? m) => m is null
        ? null
        : $"{m.Kind} id={m.Id?.ToString() ?? "-"} method={m.Method ?? "-"} params={Text(m.Params)} result={Text(m.Result)} " +
          $"error={m.Error?.Code.ToString(CultureInfo.InvariantCulture) ?? "-"}/{m.Error?.Message ?? "-"}/{Text(m.Error?.Data)}";

    private static string Text(JToken? token) => token is null ? "-" : McpJson.ToText(token);
}
