using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Messages;
using Pmcp.Actors.Runtime;
using Pmcp.Actors.Tests.Runtime;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Tools;

/// <summary>
/// Typed tools: schemas generated from classes and method parameters, arguments validated before the handler runs,
/// typed results as structuredContent. The end-to-end specs go through the real ToolRouterActor and ConnectionActor.
/// </summary>
public sealed class TypedToolSpecs : SessionSpecs
{
    private int _repeatRuns;

    public TypedToolSpecs(ITestOutputHelper output) : base(output)
    {
        var definition = new McpServerBuilder()
            .Name("typed-spec")
            .Tool<RepeatArgs, RepeatResult>("repeat", RepeatAsync, "Repeats a text.", title: "Repeat")
            .Tool<ScaleArgs>("scale", (args, _) =>
                Task.FromResult(CallToolResult.Text($"{args.Value * args.Factor} {args.Case}")), "Scales a number.")
            .ToolsFrom(new CalculatorTools("Hello"))
            .ToolsFrom(typeof(StaticTools))
            .Build();
        var options = new McpServerOptions { ToolsPageSize = 100 };
        Connection = SpecConnection.Start(Sys, definition, options, Socket).Connection;
    }

    private Task<RepeatResult> RepeatAsync(RepeatArgs args, ToolContext context)
    {
        Interlocked.Increment(ref _repeatRuns);
        var text = (args.Prefix ?? "") + string.Join(args.Separator, Enumerable.Repeat(args.Text, args.Count));
        text = args.Case switch { TextCase.Upper => text.ToUpperInvariant(), TextCase.Lower => text.ToLowerInvariant(), _ => text };
        return Task.FromResult(new RepeatResult { Text = text, Length = text.Length, Case = args.Case, Label = args.Options?.Label });
    }

    // ---- schemas -------------------------------------------------------------------------------------------------

    [Fact]
    public void ClassSchema_HasDescriptionsRequiredEnumsAndDefaults_WhenGeneratedFromAttributesAndInitializers()
    {
        var schema = ToolSchemas.ForType<RepeatArgs>();

        Assert.Equal("object", (string?)schema["type"]);
        Assert.Null(schema["$schema"]);
        Assert.Null(schema["definitions"]);
        Assert.False((bool)schema["additionalProperties"]!);
        Assert.Equal("What to repeat and how.", (string?)schema["description"]);
        // text: non-nullable string without initializer; count: [Required]. Value types and initialized or nullable
        // properties are optional.
        Assert.Equal(["count", "text"], Strings(schema["required"]).Order());

        var properties = (JObject)schema["properties"]!;
        Assert.Equal(["text", "count", "separator", "case", "prefix", "options"], properties.Properties().Select(p => p.Name));
        Assert.Equal("The text to repeat.", (string?)properties["text"]!["description"]);
        Assert.Equal("string", (string?)properties["text"]!["type"]);
        Assert.Equal("integer", (string?)properties["count"]!["type"]);
        Assert.Equal(" ", (string?)properties["separator"]!["default"]);
        Assert.Equal("string", (string?)properties["case"]!["type"]);
        Assert.Equal(["lower", "upper", "asIs"], Strings(properties["case"]!["enum"]));
        Assert.Equal("asIs", (string?)properties["case"]!["default"]);
        Assert.Equal("Case of the output.", (string?)properties["case"]!["description"]);
        Assert.Equal(["null", "string"], Strings(properties["prefix"]!["type"]));

        // A nested class is inlined, under the same rules.
        var nested = properties["options"]!["oneOf"]!.Single(s => (string?)s["type"] == "object");
        Assert.Equal(["label"], Strings(nested["required"]));
        Assert.Equal("A label for the output.", (string?)nested["properties"]!["label"]!["description"]);
        Assert.Equal(10, (int)nested["properties"]!["max"]!["default"]!);
        Assert.DoesNotContain("$ref", schema.ToString(Formatting.None));
    }

    [Fact]
    public void RecordSchema_RequiresConstructorParametersWithoutDefaults_WhenBoundThroughItsConstructor()
    {
        var schema = ToolSchemas.ForType<ScaleArgs>();

        Assert.Equal(["value"], Strings(schema["required"]));
        Assert.Equal("The value to scale.", (string?)schema["properties"]!["value"]!["description"]);
        Assert.Equal(2.0, (double)schema["properties"]!["factor"]!["default"]!);
        Assert.Equal("upper", (string?)schema["properties"]!["case"]!["default"]);
    }

    [Fact]
    public void MethodSchema_HasParametersAsProperties_WithoutInjectedParameters()
    {
        var tools = TypedTools.FromMethods(typeof(CalculatorTools), new CalculatorTools("Hi")).ToDictionary(t => t.Name);

        var greet = tools["calc.greet"].InputSchema;
        Assert.Equal("object", (string?)greet["type"]);
        Assert.Equal(["name", "textCase", "title"], ((JObject)greet["properties"]!).Properties().Select(p => p.Name));
        Assert.Equal(["name"], Strings(greet["required"]));
        Assert.Equal("asIs", (string?)greet["properties"]!["textCase"]!["default"]);
        Assert.Equal(["lower", "upper", "asIs"], Strings(greet["properties"]!["textCase"]!["enum"]));
        Assert.Equal(["null", "string"], Strings(greet["properties"]!["title"]!["type"]));

        var divide = tools["calc.divide"].InputSchema;
        Assert.Equal(["dividend"], Strings(divide["required"]));
        Assert.Equal("The number to divide.", (string?)divide["properties"]!["dividend"]!["description"]);
        Assert.Equal(1, (int)divide["properties"]!["divisor"]!["default"]!);

        Assert.Equal(new JObject { ["type"] = "object", ["additionalProperties"] = false }, tools["calc.noop"].InputSchema);
        Assert.Null(tools["calc.noop"].OutputSchema);
        Assert.DoesNotContain("NotATool", tools.Keys);
    }

    [Fact]
    public void MethodSchema_KeepsOnlyRecursiveTypesAsDefinitions()
    {
        var schema = TypedTools.FromMethods(typeof(StaticTools)).Single().InputSchema;

        Assert.Equal("#/definitions/TreeNode", (string?)schema["properties"]!["root"]!["$ref"]);
        Assert.Equal("#/definitions/TreeNode", (string?)schema["definitions"]!["TreeNode"]!["properties"]!["children"]!["items"]!["$ref"]);
        Assert.Null(schema["$schema"]);
    }

    [Fact]
    public void TypedTools_Refuse_WhenDeclaredWrongly()
    {
        Assert.Throws<ArgumentException>(() => TypedTools.Create<int>("n", (_, _) => Task.FromResult(new CallToolResult())));
        Assert.Throws<ArgumentException>(() => new McpServerBuilder().ToolsFrom<CalculatorTools>());
        Assert.Throws<ArgumentException>(() => TypedTools.FromMethods(typeof(Quotient)));
    }

    // ---- end to end ----------------------------------------------------------------------------------------------

    [Fact]
    public async Task ToolsList_ShowsGeneratedSchemasAndAnnotations()
    {
        await InitializeAsync();
        Request(1, "tools/list");
        var tools = ((JArray)(await ResultAsync(1))["tools"]!).Cast<JObject>().ToDictionary(t => (string)t["name"]!);

        Assert.Equal(ToolSchemas.ForType<RepeatArgs>(), tools["repeat"]["inputSchema"]);
        var output = (JObject)tools["repeat"]["outputSchema"]!;
        Assert.Equal("object", (string?)output["type"]);
        Assert.Equal(["text", "length", "case", "label"], ((JObject)output["properties"]!).Properties().Select(p => p.Name));
        Assert.Equal("Repeats a text.", (string?)tools["repeat"]["description"]);
        Assert.Null(tools["scale"]["outputSchema"]);

        var divide = tools["calc.divide"];
        Assert.Equal("Divide", (string?)divide["title"]);
        Assert.Equal("Divides two integers.", (string?)divide["description"]);
        Assert.Equal(new JObject { ["title"] = "Divide", ["readOnlyHint"] = true, ["idempotentHint"] = true, ["openWorldHint"] = false }, divide["annotations"]);
        Assert.Equal(["value", "remainder"], ((JObject)divide["outputSchema"]!["properties"]!).Properties().Select(p => p.Name));
        Assert.Equal(new JObject { ["destructiveHint"] = false }, tools["calc.greet"]["annotations"]);
        Assert.Null(tools["calc.fail"]["annotations"]);
        Assert.Null(tools["calc.greet"]["outputSchema"]);
        Assert.Contains("static.tree", tools.Keys);
    }

    [Fact]
    public async Task ClassTool_ReturnsStructuredContentAndTheSameJsonAsText_WhenCalledWithValidArguments()
    {
        await InitializeAsync();
        Call(1, "repeat", new JObject { ["text"] = "ab", ["count"] = 3, ["separator"] = "-", ["options"] = new JObject { ["label"] = "L" } });
        var result = await ResultAsync(1);

        Assert.Null(result["isError"]);
        var structured = (JObject)result["structuredContent"]!;
        Assert.Equal(new JObject { ["text"] = "ab-ab-ab", ["length"] = 8, ["case"] = "asIs", ["label"] = "L" }, structured);
        var text = Assert.Single((JArray)result["content"]!);
        Assert.Equal("text", (string?)text["type"]);
        Assert.Equal(structured, JObject.Parse((string)text["text"]!));
    }

    [Fact]
    public async Task ClassTool_GetsSchemaDefaults_WhenOptionalArgumentsAreLeftOut()
    {
        await InitializeAsync();
        Call(1, "repeat", new JObject { ["text"] = "Ab", ["count"] = 2, ["case"] = "upper" });
        Assert.Equal("AB AB", (string?)(await ResultAsync(1))["structuredContent"]!["text"]);

        // A positional record: defaults come from its constructor, and the enum is bound from its camelCase name.
        Call(2, "scale", new JObject { ["value"] = 1.5 });
        Assert.Equal("3 Upper", TextOf(await ResultAsync(2)));
        Call(3, "scale", new JObject { ["value"] = 2, ["factor"] = 5, ["case"] = "lower" });
        Assert.Equal("10 Lower", TextOf(await ResultAsync(3)));
    }

    [Fact]
    public async Task ClassTool_IsErrorNamingTheField_WhenARequiredFieldIsMissing()
    {
        await InitializeAsync();
        Call(1, "repeat", new JObject { ["count"] = 2 });
        var result = await ResultAsync(1);

        Assert.True((bool?)result["isError"]);
        Assert.Equal("Invalid arguments: text: required property missing", TextOf(result));
        Assert.Null(result["structuredContent"]);
        Assert.Equal(0, _repeatRuns);
    }

    [Fact]
    public async Task ClassTool_IsErrorNamingTheField_WhenAFieldHasTheWrongType()
    {
        await InitializeAsync();
        Call(1, "repeat", new JObject { ["text"] = "a", ["count"] = "two" });
        var result = await ResultAsync(1);

        Assert.True((bool?)result["isError"]);
        Assert.Equal("Invalid arguments: count: expected integer, got string", TextOf(result));
        Assert.Equal(0, _repeatRuns);
    }

    [Fact]
    public async Task ClassTool_NamesEveryProblem_IncludingNestedFieldsEnumsAndUnknownProperties()
    {
        await InitializeAsync();
        Call(1, "repeat", new JObject
        {
            ["count"] = 1.5,
            ["case"] = "shout",
            ["prefix"] = 7,
            ["options"] = new JObject { ["max"] = "many" },
            ["colour"] = "red",
        });
        var text = TextOf(await ResultAsync(1));

        Assert.StartsWith("Invalid arguments: ", text);
        Assert.Contains("text: required property missing", text);
        Assert.Contains("count: expected integer, got number", text);
        Assert.Contains("case: expected one of \"lower\", \"upper\", \"asIs\", got \"shout\"", text);
        Assert.Contains("prefix: expected string, got integer", text);
        Assert.Contains("options.label: required property missing", text);
        Assert.Contains("options.max: expected integer, got string", text);
        Assert.Contains("colour: unknown property", text);
        Assert.Equal(0, _repeatRuns);
    }

    [Fact]
    public async Task ClassTool_NamesOnlyTheWrongType_WhenAnObjectOrEnumGetsAnotherKindOfValue()
    {
        await InitializeAsync();
        // Not also "options.label: required property missing" or "case: expected one of ...".
        Call(1, "repeat", new JObject { ["text"] = "a", ["count"] = 1, ["options"] = "x", ["case"] = 1 });
        Assert.Equal("Invalid arguments: case: expected string, got integer; options: expected object, got string", TextOf(await ResultAsync(1)));

        Call(2, "repeat", new JObject { ["text"] = null, ["count"] = 1, ["options"] = new JObject { ["label"] = "x", ["extra"] = 1 } });
        Assert.Equal("Invalid arguments: text: expected string, got null; options.extra: unknown property", TextOf(await ResultAsync(2)));
        Assert.Equal(0, _repeatRuns);
    }

    [Fact]
    public async Task ClassTool_IsErrorNamingTheField_WhenTheValueDoesNotFitTheCSharpType()
    {
        await InitializeAsync();
        // Valid for the schema ("integer"), too large for an int: binding fails, still as a tool result.
        Call(1, "repeat", new JObject { ["text"] = "a", ["count"] = 10_000_000_000L });
        var result = await ResultAsync(1);

        Assert.True((bool?)result["isError"]);
        Assert.StartsWith("Invalid arguments: count: ", TextOf(result));
        Assert.Equal(0, _repeatRuns);
    }

    [Fact]
    public async Task MethodTool_GetsContextTokenAndDefaults_WhenCalled()
    {
        await InitializeAsync();
        Call(1, "calc.greet", new JObject { ["name"] = "Ada" });
        Assert.Equal("Hello, Ada from calc.greet (token injected: True)", TextOf(await ResultAsync(1)));

        Call(2, "calc.greet", new JObject { ["name"] = "Ada", ["textCase"] = "upper", ["title"] = "Dr." });
        Assert.Equal("HELLO, DR. ADA FROM CALC.GREET (TOKEN INJECTED: TRUE)", TextOf(await ResultAsync(2)));
    }

    [Fact]
    public async Task MethodTool_ReturnsStructuredContent_WhenItReturnsAnObject()
    {
        await InitializeAsync();
        Call(1, "calc.divide", new JObject { ["dividend"] = 7, ["divisor"] = 2 });
        var result = await ResultAsync(1);
        Assert.Equal(new JObject { ["value"] = 3, ["remainder"] = 1 }, result["structuredContent"]);
        Assert.Equal(result["structuredContent"], JObject.Parse(TextOf(result)));

        Call(2, "calc.divide", new JObject { ["dividend"] = 7 });
        Assert.Equal(new JObject { ["value"] = 7, ["remainder"] = 0 }, (await ResultAsync(2))["structuredContent"]);
    }

    [Fact]
    public async Task MethodTool_HandlesVoidTaskValueTaskAndRecursiveArguments()
    {
        await InitializeAsync();
        Call(1, "calc.noop", null);
        var noop = await ResultAsync(1);
        Assert.Empty((JArray)noop["content"]!);
        Assert.Null(noop["isError"]);

        Call(2, "calc.sum", new JObject { ["values"] = new JArray(1, 2, 39) });
        Assert.Equal("42", TextOf(await ResultAsync(2)));

        var tree = new JObject
        {
            ["name"] = "a",
            ["children"] = new JArray(new JObject { ["name"] = "b" }, new JObject { ["name"] = "c", ["children"] = new JArray(new JObject { ["name"] = "d" }) }),
        };
        Call(3, "static.tree", new JObject { ["root"] = tree });
        Assert.Equal("4", TextOf(await ResultAsync(3)));

        Call(4, "static.tree", new JObject { ["root"] = new JObject { ["children"] = new JArray(new JObject { ["name"] = 5 }) } });
        Assert.Equal("Invalid arguments: root.children[0].name: expected string, got integer", TextOf(await ResultAsync(4)));
    }

    [Fact]
    public async Task MethodTool_IsErrorNamingTheParameter_WhenArgumentsAreInvalid()
    {
        await InitializeAsync();
        Call(1, "calc.divide", new JObject { ["divisor"] = 2 });
        Assert.Equal("Invalid arguments: dividend: required property missing", TextOf(await ResultAsync(1)));

        Call(2, "calc.divide", new JObject { ["dividend"] = "seven" });
        var result = await ResultAsync(2);
        Assert.True((bool?)result["isError"]);
        Assert.Equal("Invalid arguments: dividend: expected integer, got string", TextOf(result));
    }

    [Theory]
    [InlineData("calc.fail", "{\"reason\":\"not today\"}", "refused: not today")]
    [InlineData("calc.failAsync", "{}", "async refusal")]
    [InlineData("calc.divide", "{\"dividend\":1,\"divisor\":0}", "Cannot divide by zero.")]
    public async Task MethodTool_IsErrorWithTheMethodsOwnMessage_WhenTheMethodThrows(string tool, string arguments, string message)
    {
        await InitializeAsync();
        Call(1, tool, JObject.Parse(arguments));
        var result = await ResultAsync(1);

        Assert.True((bool?)result["isError"]);
        Assert.Equal($"Tool '{tool}' failed: {message}", TextOf(result));
        Assert.Null(result["structuredContent"]);
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    private static string[] Strings(JToken? token) => token!.Values<string>().Select(s => s!).ToArray();

    private static string TextOf(JObject result) => (string)result["content"]![0]!["text"]!;


    private void Call(int id, string tool, JObject? arguments)
    {
        var parameters = new JObject { ["name"] = tool };
        if (arguments is not null) parameters["arguments"] = arguments;
        Request(id, "tools/call", parameters);
    }


}
