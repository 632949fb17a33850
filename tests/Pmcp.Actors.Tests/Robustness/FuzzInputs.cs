using System.Globalization;
using System.Text;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Tests.Support;

namespace Pmcp.Actors.Tests.Robustness;

/// <summary>
/// Generates malformed (and some well-formed) inputs for an initialized 2025-11-25 session on a server with the demo
/// set, each with its documented answer. Every id is unique within one generator (one connection).
/// </summary>
internal sealed class FuzzInputs(Random random, string idPrefix)
{
    private const int Parse = -32700;
    private const int InvalidRequest = -32600;
    private const int MethodNotFound = -32601;
    private const int InvalidParams = -32602;
    private const int ResourceNotFound = -32002;

    private static readonly string[] Levels = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"];

    private long _next;

    /// <summary>Values of every JSON type but string (for fields that must be strings), null included.</summary>
    private static JToken[] NotStrings() =>
    [
        new JValue(0), new JValue(-1), new JValue(1.5), new JValue(true), new JValue(false), JValue.CreateNull(),
        new JArray(), new JArray(1, "a"), new JObject(), new JObject { ["x"] = 1 },
        new JRaw("123456789012345678901234567890"), new JRaw("1e400"), new JRaw("-0.0"),
    ];

    /// <summary>Values of every JSON type but object and null (for fields that must be objects when present).</summary>
    private static JToken[] NotObjects() =>
    [
        new JValue(0), new JValue(1.5), new JValue(true), new JValue("str"), new JValue(""), new JArray(), new JArray(1, "a"),
        new JArray(new JObject()), new JRaw("123456789012345678901234567890"), new JRaw("1e400"),
    ];

    private static readonly (string Name, int Weight)[] Classes =
    [
        ("random-text", 10), ("truncated-json", 10), ("deep-nesting", 4), ("huge-numbers", 6), ("huge-strings", 2),
        ("non-request-json", 10), ("bad-id", 8), ("giant-id", 3), ("unknown-method", 6), ("wrong-param-type", 30),
        ("notification", 4), ("valid", 12),
    ];

    public FuzzCase Next()
    {
        var pick = random.Next(Classes.Sum(c => c.Weight));
        foreach (var (name, weight) in Classes)
        {
            if (pick < weight)
            {
                return name switch
                {
                    "random-text" => RandomText(),
                    "truncated-json" => Truncated(),
                    "deep-nesting" => DeepNesting(),
                    "huge-numbers" => HugeNumbers(),
                    "huge-strings" => HugeStrings(),
                    "non-request-json" => NonRequestJson(),
                    "bad-id" => BadId(),
                    "giant-id" => GiantId(),
                    "unknown-method" => UnknownMethod(),
                    "wrong-param-type" => WrongParamType(),
                    "notification" => Notification(),
                    _ => Valid(),
                };
            }

            pick -= weight;
        }

        throw new InvalidOperationException("unreachable");
    }

    /// <summary>Inputs for a session before initialize: only ping and initialize are served.</summary>
    public FuzzCase NextBeforeInitialize()
    {
        switch (random.Next(4))
        {
            case 0:
                var id = NewId();
                return new FuzzCase("pre-init-bad-protocolVersion", Request("initialize", new JObject
                {
                    ["protocolVersion"] = Pick(NotStrings()),
                    ["capabilities"] = new JObject(),
                    ["clientInfo"] = new JObject { ["name"] = "fuzz", ["version"] = "1" },
                }, id), new ErrorWithId(id, InvalidParams));
            case 1:
                var early = NewId();
                var method = Pick(["tools/list", "tools/call", "resources/read", "prompts/get", "logging/setLevel", "no/such"]);
                return new FuzzCase("pre-init-request", Request(method, new JObject(), early), new ErrorWithId(early, InvalidRequest));
            case 2:
                var ping = NewId();
                return new FuzzCase("pre-init-ping", Request("ping", null, ping), new Success(ping, r => r.Count == 0 ? null : "ping result not {}"));
            default:
                return RandomText() with { Class = "pre-init-random-text" };
        }
    }

    private JValue NewId()
    {
        var n = ++_next;
        return random.Next(2) == 0 ? new JValue(idPrefix + n.ToString(CultureInfo.InvariantCulture)) : new JValue(UniqueNumber(n));
    }

    // Numeric ids unique across connections: the prefix's hash picks a block of a billion.
    private long UniqueNumber(long n) => (Math.Abs((long)StableHash(idPrefix)) % 1_000_000) * 1_000_000_000L + n;

    private static int StableHash(string s)
    {
        var h = 17;
        foreach (var c in s) h = (h * 31) + c;
        return h;
    }

    private T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private static string Request(string method, JToken? @params, JToken id)
    {
        var message = new JObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method };
        if (@params is not null)
        {
            message["params"] = @params;
        }

        return message.ToString(Formatting.None);
    }

    private string RandomString(int length, bool unicode)
    {
        var sb = new StringBuilder(length);
        while (sb.Length < length)
        {
            var kind = random.Next(10);
            if (!unicode || kind < 6)
            {
                sb.Append((char)random.Next(0x20, 0x7F));
            }
            else if (kind < 9)
            {
                sb.Append((char)random.Next(0xA0, 0xD7FF));
            }
            else
            {
                sb.Append(char.ConvertFromUtf32(random.Next(0x1F300, 0x1FAFF))); // astral: a surrogate pair
            }
        }

        return sb.ToString();
    }

    // Text that starts with a character no JSON value can start with, then anything (valid UTF-8 only: an invalid
    // frame closes the socket, so those go on throwaway connections).
    private FuzzCase RandomText()
    {
        var body = RandomString(random.Next(0, 200), unicode: random.Next(2) == 0);
        var lead = Pick(["}", "]", ":", ",", "#", "@", ")", "\\"]);
        var text = random.Next(8) switch
        {
            0 => "",
            1 => new string(' ', random.Next(1, 5)),
            _ => lead + body,
        };
        return new FuzzCase("random-text", text, new ErrorWithNullId(Parse));
    }

    // A valid request cut short: its outer object is never closed, so it is never JSON.
    private FuzzCase Truncated()
    {
        var full = ValidRequestText(NewId());
        return new FuzzCase("truncated-json", full[..random.Next(1, full.Length)], new ErrorWithNullId(Parse));
    }

    private FuzzCase DeepNesting()
    {
        var depth = Pick([65, 100, 1000, 10_000]);
        var (open, close) = random.Next(2) == 0 ? ("[", "]") : ("{\"a\":", "}");
        var nested = string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth));
        var text = random.Next(3) switch
        {
            0 => nested,
            1 => Request("tools/call", null, NewId()).Replace("\"method\"", "\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"x\",\"deep\":" + nested + "}},\"method\"", StringComparison.Ordinal),
            _ => string.Concat(Enumerable.Repeat(open, depth)), // deep and unterminated
        };
        return new FuzzCase("deep-nesting", text, new ErrorWithNullId(Parse));
    }

    private FuzzCase HugeNumbers()
    {
        var huge = Pick(["123456789012345678901234567890", "-98765432109876543210987654321", "1e400", "-1e400", "1e-400", "9223372036854775808"]);
        switch (random.Next(5))
        {
            case 0:
                // Not a 64-bit integer (or not an integer): not an id.
                return new FuzzCase("huge-numbers", $$"""{"jsonrpc":"2.0","id":{{huge}},"method":"ping"}""", new ErrorWithNullId(InvalidRequest));
            case 1:
                {
                    // Beyond the demo add's decimal range: the tool fails, which is an isError result.
                    var id = NewId();
                    var big = Pick(["1e400", "123456789012345678901234567890", "-1e300"]);
                    var text = Request("tools/call", new JObject { ["name"] = "add", ["arguments"] = new JObject { ["a"] = new JRaw(big), ["b"] = 1 } }, id);
                    return new FuzzCase("huge-numbers", text, new ToolError(id));
                }

            case 2:
                {
                    // An integer progress token of any size is a valid token.
                    var id = NewId();
                    var text = Request("tools/call", new JObject
                    {
                        ["name"] = "echo",
                        ["arguments"] = new JObject { ["text"] = "token" },
                        ["_meta"] = new JObject { ["progressToken"] = new JRaw(Pick(["123456789012345678901234567890", "9223372036854775807", "-9223372036854775808"])) },
                    }, id);
                    return new FuzzCase("huge-numbers", text, new Success(id, ExpectText("token")));
                }

            case 3:
                {
                    var id = NewId();
                    return new FuzzCase("huge-numbers", Request("logging/setLevel", new JObject { ["level"] = new JRaw(huge) }, id), new ErrorWithId(id, InvalidParams));
                }

            default:
                {
                    var id = NewId();
                    var text = Request("tools/call", new JObject { ["name"] = "add", ["arguments"] = new JObject { ["a"] = new JRaw("79228162514264337593543950335"), ["b"] = new JRaw("-79228162514264337593543950335") } }, id);
                    return new FuzzCase("huge-numbers", text, new Success(id, ExpectText("0")));
                }
        }
    }

    private FuzzCase HugeStrings()
    {
        var length = random.Next(10_000, 300_000);
        var big = RandomString(length, unicode: true);
        var id = NewId();
        return random.Next(4) switch
        {
            0 => new FuzzCase("huge-strings", Request("tools/call", new JObject { ["name"] = "echo", ["arguments"] = new JObject { ["text"] = big } }, id), new Success(id, ExpectText(big))),
            1 => new FuzzCase("huge-strings", Request(big, null, id), new ErrorWithId(id, MethodNotFound)),
            2 => new FuzzCase("huge-strings", Request("tools/call", new JObject { ["name"] = big }, id), new ErrorWithId(id, InvalidParams)),
            _ => new FuzzCase("huge-strings", Request("resources/read", new JObject { ["uri"] = "demo://" + big }, id), new ErrorWithId(id, ResourceNotFound)),
        };
    }

    private FuzzCase NonRequestJson()
    {
        var id = NewId();
        var idText = id.ToString(Formatting.None);
        var cases = new (string Text, Expectation Expect)[]
        {
            ("{}", new ErrorWithNullId(InvalidRequest)),
            ("""{"jsonrpc":"2.0"}""", new ErrorWithNullId(InvalidRequest)),
            ($$"""{"jsonrpc":"2.0","id":{{idText}}}""", new ErrorWithId(id, InvalidRequest)),
            ($$"""{"jsonrpc":"1.0","id":{{idText}},"method":"ping"}""", new ErrorWithId(id, InvalidRequest)),
            ($$"""{"jsonrpc":2.0,"id":{{idText}},"method":"ping"}""", new ErrorWithId(id, InvalidRequest)),
            ($$"""{"id":{{idText}},"method":"ping"}""", new ErrorWithId(id, InvalidRequest)),
            ($$"""{"jsonrpc":"2.0","id":{{idText}},"method":{{Pick(NotStrings()).ToString(Formatting.None)}}}""", new ErrorWithId(id, InvalidRequest)),
            ($$$"""{"jsonrpc":"2.0","id":{{{idText}}},"result":{},"error":{"code":1,"message":"both"}}""", new ErrorWithId(id, InvalidRequest)),
            ($$$"""{"jsonrpc":"2.0","id":{{{idText}}},"error":{"code":"1","message":"code not a number"}}""", new ErrorWithId(id, InvalidRequest)),
            ($$$"""{"jsonrpc":"2.0","id":{{{idText}}},"result":{"unasked":true}}""", NoAnswer.Instance),
            ("""{"jsonrpc":"2.0","id":null,"error":{"code":-1,"message":"a client error"}}""", NoAnswer.Instance),
            (Pick(["5", "-0.5", "\"a string\"", "true", "false", "null", "1e400"]), new ErrorWithNullId(InvalidRequest)),
            (Pick(["[]", "[1]", "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]", "[[]]", " [ ] "]), new ErrorWithNullId(InvalidRequest)),
        };
        var (text, expect) = Pick(cases);
        return new FuzzCase("non-request-json", text, expect);
    }

    private FuzzCase BadId()
    {
        var id = Pick([new JValue(1.5), new JValue(1.0), new JValue(true), JValue.CreateNull(), new JArray(1), new JObject { ["id"] = 1 }, (JToken)new JRaw("1e3")]);
        var method = Pick(["ping", "tools/list", "tools/call"]);
        return new FuzzCase("bad-id", $$"""{"jsonrpc":"2.0","id":{{id.ToString(Formatting.None)}},"method":"{{method}}"}""", new ErrorWithNullId(InvalidRequest));
    }

    private FuzzCase GiantId()
    {
        var n = ++_next;
        JToken id = random.Next(3) switch
        {
            0 => new JValue(long.MaxValue - UniqueNumber(n)),
            1 => new JValue(long.MinValue + UniqueNumber(n)),
            _ => new JValue(idPrefix + n.ToString(CultureInfo.InvariantCulture) + "-" + RandomString(random.Next(1_000, 100_000), unicode: true)),
        };
        return new FuzzCase("giant-id", Request("ping", null, id), new Success(id, r => r.Count == 0 ? null : "ping result not {}"));
    }

    private FuzzCase UnknownMethod()
    {
        var id = NewId();
        var method = Pick(["", "tools/CALL", "Ping", "rpc.discover", "tools/call/", "notifications/initialized", "resources", "ünïcödé/🙂", "\u0000", "sampling/createMessage", RandomString(random.Next(1, 40), unicode: true)]);
        if (method is "ping" or "initialize" or "tools/list" or "tools/call" or "resources/list" or "resources/read" or "resources/templates/list"
            or "resources/subscribe" or "resources/unsubscribe" or "prompts/list" or "prompts/get" or "completion/complete" or "logging/setLevel")
        {
            method += "x";
        }

        return new FuzzCase("unknown-method", Request(method, new JObject(), id), new ErrorWithId(id, MethodNotFound));
    }

    private FuzzCase Notification()
    {
        var text = Pick(
        [
            """{"jsonrpc":"2.0","method":"notifications/initialized"}""",
            """{"jsonrpc":"2.0","method":"notifications/unknown","params":{"x":1}}""",
            $$$"""{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":{{{Pick(NotStrings()).ToString(Formatting.None)}}}}}""",
            """{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"never-sent"}}""",
            """{"jsonrpc":"2.0","method":"notifications/cancelled"}""",
            """{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":1,"progress":"x"}}""",
        ]);
        return new FuzzCase("notification", text, NoAnswer.Instance);
    }

    private static Func<JObject, string?> ExpectText(string expected) => result =>
        (string?)(result["content"] as JArray)?.FirstOrDefault()?["text"] == expected && (bool?)result["isError"] != true ? null : "not the expected text";

    private string ValidRequestText(JToken id) => Request("tools/call", new JObject
    {
        ["name"] = "echo",
        ["arguments"] = new JObject { ["text"] = RandomString(random.Next(0, 50), unicode: true) },
    }, id);

    private FuzzCase Valid()
    {
        var id = NewId();
        switch (random.Next(12))
        {
            case 0:
                return new FuzzCase("valid", Request("ping", null, id), new Success(id));
            case 1:
                return new FuzzCase("valid", Request("tools/list", new JObject(), id), new Success(id, r => r["tools"] is JArray { Count: 6 } ? null : "not the six demo tools"));
            case 2:
                var text = RandomString(random.Next(0, 100), unicode: true);
                return new FuzzCase("valid", Request("tools/call", new JObject { ["name"] = "echo", ["arguments"] = new JObject { ["text"] = text } }, id), new Success(id, ExpectText(text)));
            case 3:
                var (a, b) = (random.Next(-1000, 1000), random.Next(-1000, 1000));
                return new FuzzCase("valid", Request("tools/call", new JObject { ["name"] = "add", ["arguments"] = new JObject { ["a"] = a, ["b"] = b } }, id),
                    new Success(id, ExpectText((a + b).ToString(CultureInfo.InvariantCulture))));
            case 4:
                return new FuzzCase("valid", Request("resources/read", new JObject { ["uri"] = "demo://readme" }, id), new Success(id));
            case 5:
                var n = random.Next(-1000, 1000);
                return new FuzzCase("valid", Request("resources/read", new JObject { ["uri"] = $"demo://squares/{n}" }, id),
                    new Success(id, r => (string?)r["contents"]?[0]?["text"] == $"{n} squared is {(long)n * n}" ? null : "wrong square"));
            case 6:
                return new FuzzCase("valid", Request("prompts/get", new JObject { ["name"] = "summarize", ["arguments"] = new JObject { ["topic"] = "fuzz" } }, id), new Success(id));
            case 7:
                return new FuzzCase("valid", Request("completion/complete", new JObject
                {
                    ["ref"] = new JObject { ["type"] = "ref/prompt", ["name"] = "summarize" },
                    ["argument"] = new JObject { ["name"] = "style", ["value"] = "b" },
                }, id), new Success(id, r => r["completion"]?["values"]?.ToString(Formatting.None) == "[\"brief\",\"bullet-points\"]" ? null : "wrong completion"));
            case 8:
                return new FuzzCase("valid", Request("logging/setLevel", new JObject { ["level"] = Pick(Levels) }, id), new Success(id));
            case 9:
                return new FuzzCase("valid", Request("initialize", new JObject { ["protocolVersion"] = "2025-11-25" }, id), new ErrorWithId(id, InvalidRequest));
            case 10:
                return new FuzzCase("valid", Request("resources/read", new JObject { ["uri"] = "nowhere://" + RandomString(10, unicode: false) }, id), new ErrorWithId(id, ResourceNotFound));
            default:
                return new FuzzCase("valid", Request("tools/call", new JObject { ["name"] = "no-such-tool" }, id), new ErrorWithId(id, InvalidParams));
        }
    }

    /// <summary>Every field of every request, one at a time, with a value of the wrong JSON type.</summary>
    private FuzzCase WrongParamType()
    {
        var id = NewId();
        var notString = Pick(NotStrings());
        var notObject = Pick(NotObjects());
        var echoArgs = new JObject { ["text"] = "x" };
        (string Field, string Method, JToken? Params, Expectation Expect) c = random.Next(22) switch
        {
            0 => ("tools/call name", "tools/call", new JObject { ["name"] = notString, ["arguments"] = echoArgs }, new ErrorWithId(id, InvalidParams)),
            1 => ("tools/call arguments", "tools/call", new JObject { ["name"] = "echo", ["arguments"] = notObject }, new ErrorWithId(id, InvalidParams)),
            2 => ("tools/call arguments null", "tools/call", new JObject { ["name"] = "echo", ["arguments"] = JValue.CreateNull() }, new ToolError(id)),
            3 => ("tools/call _meta", "tools/call", new JObject { ["name"] = "echo", ["arguments"] = echoArgs, ["_meta"] = notObject }, new ErrorWithId(id, InvalidParams)),
            4 => ("tools/call _meta.progressToken", "tools/call",
                new JObject { ["name"] = "echo", ["arguments"] = echoArgs, ["_meta"] = new JObject { ["progressToken"] = Pick([new JValue(1.5), new JValue(true), JValue.CreateNull(), new JArray(), new JObject(), (JToken)new JRaw("1e400")]) } },
                new ErrorWithId(id, InvalidParams)),
            5 => ("list cursor", Pick(["tools/list", "resources/list", "resources/templates/list", "prompts/list"]), new JObject { ["cursor"] = notString.Type == JTokenType.Null ? new JValue(3) : notString }, new ErrorWithId(id, InvalidParams)),
            6 => ("list cursor invalid", Pick(["tools/list", "resources/list", "prompts/list"]), new JObject { ["cursor"] = RandomString(random.Next(0, 30), unicode: true) }, new ErrorWithId(id, InvalidParams)),
            7 => ("resources/read uri", "resources/read", new JObject { ["uri"] = notString }, new ErrorWithId(id, InvalidParams)),
            8 => ("resources/subscribe uri", Pick(["resources/subscribe", "resources/unsubscribe"]), new JObject { ["uri"] = notString }, new ErrorWithId(id, InvalidParams)),
            9 => ("prompts/get name", "prompts/get", new JObject { ["name"] = notString, ["arguments"] = new JObject { ["topic"] = "t" } }, new ErrorWithId(id, InvalidParams)),
            10 => ("prompts/get arguments", "prompts/get", new JObject { ["name"] = "summarize", ["arguments"] = Pick([notObject, JValue.CreateNull()]) }, new ErrorWithId(id, InvalidParams)),
            11 => ("prompts/get arguments.topic", "prompts/get", new JObject { ["name"] = "summarize", ["arguments"] = new JObject { ["topic"] = notString } }, new ErrorWithId(id, InvalidParams)),
            12 => ("completion/complete ref", "completion/complete", new JObject { ["ref"] = Pick([notObject, JValue.CreateNull()]), ["argument"] = new JObject { ["name"] = "style", ["value"] = "" } }, new ErrorWithId(id, InvalidParams)),
            13 => ("completion/complete argument", "completion/complete", new JObject { ["ref"] = PromptRef(), ["argument"] = Pick([notObject, JValue.CreateNull()]) }, new ErrorWithId(id, InvalidParams)),
            14 => ("completion/complete argument.name", "completion/complete", new JObject { ["ref"] = PromptRef(), ["argument"] = new JObject { ["name"] = notString, ["value"] = "" } }, new ErrorWithId(id, InvalidParams)),
            15 => ("completion/complete argument.value", "completion/complete", new JObject { ["ref"] = PromptRef(), ["argument"] = new JObject { ["name"] = "style", ["value"] = notString } }, new ErrorWithId(id, InvalidParams)),
            16 => ("completion/complete ref.type", "completion/complete", new JObject { ["ref"] = new JObject { ["type"] = notString, ["name"] = "summarize" }, ["argument"] = new JObject { ["name"] = "style", ["value"] = "" } }, new ErrorWithId(id, InvalidParams)),
            17 => ("completion/complete ref.name", "completion/complete", new JObject { ["ref"] = new JObject { ["type"] = "ref/prompt", ["name"] = notString }, ["argument"] = new JObject { ["name"] = "style", ["value"] = "" } }, new ErrorWithId(id, InvalidParams)),
            18 => ("completion/complete ref.uri", "completion/complete", new JObject { ["ref"] = new JObject { ["type"] = "ref/resource", ["uri"] = notString }, ["argument"] = new JObject { ["name"] = "n", ["value"] = "" } }, new ErrorWithId(id, InvalidParams)),
            19 => ("completion/complete context", "completion/complete",
                new JObject { ["ref"] = PromptRef(), ["argument"] = new JObject { ["name"] = "style", ["value"] = "" }, ["context"] = Pick([notObject, new JObject { ["arguments"] = notObject }]) },
                new ErrorWithId(id, InvalidParams)),
            20 => ("logging/setLevel level", "logging/setLevel", new JObject { ["level"] = Pick([notString, new JValue("verbose"), new JValue("DEBUG"), new JValue("")]) }, new ErrorWithId(id, InvalidParams)),
            _ => ("params", Pick(["ping", "tools/list", "tools/call", "resources/read", "prompts/get", "completion/complete", "logging/setLevel", "initialize"]), notObject, new ErrorWithId(id, InvalidParams)),
        };
        return new FuzzCase("wrong-param-type: " + c.Field, Request(c.Method, c.Params, id), c.Expect);
    }

    private static JObject PromptRef() => new() { ["type"] = "ref/prompt", ["name"] = "summarize" };
}
