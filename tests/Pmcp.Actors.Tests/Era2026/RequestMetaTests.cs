using Pmcp.Actors.Session;
using Pmcp.Actors.Session.Era2026;
using Pmcp.Protocol;

namespace Pmcp.Actors.Tests.Era2026;

/// <summary>
/// What a 2026-07-28 request's <c>_meta</c> is read as, or why it is refused: the same whether the envelope reader kept
/// <c>_meta</c> as text (an ASCII request, the usual case) or read it into tokens (any other text).
/// </summary>
public sealed class RequestMetaTests
{
    private const string Version = "\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\"";
    private const string NoCapabilities = "\"io.modelcontextprotocol/clientCapabilities\":{}";

    public static TheoryData<string, string> Metas() => new()
    {
        { "{" + Version + "," + NoCapabilities + "}", "read: None, -1" },
        { "{" + Version + ",\"io.modelcontextprotocol/clientInfo\":{\"name\":\"c\",\"version\":\"1\"}," + NoCapabilities + ",\"io.modelcontextprotocol/logLevel\":\"warning\"}", "read: None, 3" },
        { "{" + Version + ",\"io.modelcontextprotocol/clientCapabilities\":{\"sampling\":{},\"roots\":{},\"elicitation\":{},\"extensions\":{\"io.modelcontextprotocol/tasks\":{}}}}",
            "read: Sampling, Roots, Elicitation, ElicitationForm, TasksExtension, -1" },
        { "{" + Version + ",\"io.modelcontextprotocol/clientCapabilities\":{\"elicitation\":{\"url\":{}}},\"io.modelcontextprotocol/logLevel\":null}", "read: Elicitation, ElicitationUrl, -1" },
        { "{" + Version + "," + NoCapabilities + ",\"io.modelcontextprotocol/clientInfo\":null}", "read: None, -1" },
        { "null", "-32602: Invalid params: a 2026-07-28 request carries params._meta with io.modelcontextprotocol/protocolVersion and io.modelcontextprotocol/clientCapabilities." },
        { "[]", "-32602: Invalid params: a 2026-07-28 request carries params._meta with io.modelcontextprotocol/protocolVersion and io.modelcontextprotocol/clientCapabilities." },
        { "{" + NoCapabilities + "}", "-32602: Invalid params: params._meta[\"io.modelcontextprotocol/protocolVersion\"] must be a string." },
        { "{\"io.modelcontextprotocol/protocolVersion\":20260728," + NoCapabilities + "}", "-32602: Invalid params: params._meta[\"io.modelcontextprotocol/protocolVersion\"] must be a string." },
        { "{\"io.modelcontextprotocol/protocolVersion\":\"2099-01-01\"," + NoCapabilities + "}", "-32022" },
        { "{" + Version + "}", "-32602: Invalid params: params._meta[\"io.modelcontextprotocol/clientCapabilities\"] must be an object." },
        { "{" + Version + ",\"io.modelcontextprotocol/clientCapabilities\":[]}", "-32602: Invalid params: params._meta[\"io.modelcontextprotocol/clientCapabilities\"] must be an object." },
        { "{" + Version + "," + NoCapabilities + ",\"io.modelcontextprotocol/clientInfo\":\"c\"}", "-32602: Invalid params: params._meta[\"io.modelcontextprotocol/clientInfo\"] must be an object." },
        { "{" + Version + "," + NoCapabilities + ",\"io.modelcontextprotocol/logLevel\":\"loud\"}", "-32602: Invalid params: params._meta[\"io.modelcontextprotocol/logLevel\"] must be one of: debug, info, notice, warning, error, critical, alert, emergency." },
        { "{" + Version + "," + NoCapabilities + ",\"io.modelcontextprotocol/logLevel\":4}", "-32602: Invalid params: params._meta[\"io.modelcontextprotocol/logLevel\"] must be one of: debug, info, notice, warning, error, critical, alert, emergency." },
        { "{" + Version + "," + NoCapabilities + ",\"io.modelcontextprotocol/logLevel\":{}}", "-32602: Invalid params: params._meta[\"io.modelcontextprotocol/logLevel\"] must be one of: debug, info, notice, warning, error, critical, alert, emergency." },
        // A member given twice in _meta: the last one stands, as in a loaded object.
        { "{\"io.modelcontextprotocol/protocolVersion\":\"1999-01-01\"," + Version + "," + NoCapabilities + "}", "read: None, -1" },
    };

    [Theory]
    [MemberData(nameof(Metas))]
    public void Meta_IsReadOrRefused_AlikeWhetherKeptAsTextOrReadIntoTokens(string meta, string expected)
    {
        // ASCII: the envelope reader keeps _meta as text. A non-ASCII argument sends the same _meta into tokens.
        var kept = Read(Request(meta, "hello"));
        var tokens = Read(Request(meta, "héllo"));

        Assert.Equal(expected, expected == "-32022" ? kept[..6] : kept);
        Assert.Equal(kept, tokens);
    }

    public static TheoryData<string, string> Capabilities() => new()
    {
        { "{}", "None" },
        { "{\"sampling\":{},\"roots\":{\"listChanged\":true}}", "Sampling, Roots" },
        { "{\"sampling\":null,\"roots\":[],\"elicitation\":true}", "None" },
        { "{\"elicitation\":{}}", "Elicitation, ElicitationForm" },
        { "{\"elicitation\":{\"form\":{},\"url\":{}}}", "Elicitation, ElicitationForm, ElicitationUrl" },
        { "{\"elicitation\":{\"form\":1}}", "Elicitation" },
        { "{\"elicitation\":{\"other\":{\"form\":{}}}}", "Elicitation" },
        { "{\"extensions\":{\"io.modelcontextprotocol/tasks\":{\"a\":[1,{\"b\":2}]}}}", "TasksExtension" },
        { "{\"extensions\":{\"io.modelcontextprotocol/tasks\":true,\"x\":{}}}", "None" },
        { "{\"experimental\":{\"sampling\":{}},\"sampling\":{\"tools\":{}}}", "Sampling" },
        // A capability given twice: the last one stands, as in a loaded object.
        { "{\"sampling\":{},\"sampling\":false,\"roots\":1,\"roots\":{}}", "Roots" },
        { "{\"elicitation\":{\"url\":{}},\"elicitation\":{}}", "Elicitation, ElicitationForm" },
        { "{\"extensions\":{\"io.modelcontextprotocol/tasks\":{}},\"extensions\":{}}", "None" },
    };

    /// <summary>
    /// The client's capabilities are read from its bytes when <c>_meta</c> was kept (as text or as a copy of the request's
    /// UTF-8), and from tokens otherwise: the same flags every way, and as initialize reads them.
    /// </summary>
    [Theory]
    [MemberData(nameof(Capabilities))]
    public void Capabilities_AreTheSameFlags_FromKeptTextBytesOrTokens(string capabilities, string expected)
    {
        var meta = "{" + Version + ",\"io.modelcontextprotocol/clientCapabilities\":" + capabilities + "}";
        var keptAsText = Request(meta, "hello");
        var keptAsBytes = JsonRpcMessage.TryParseStrict(System.Text.Encoding.UTF8.GetBytes(RequestText(meta, "hello")), out var fromBytes) ? fromBytes : null;
        var tokens = Request(meta, "héllo");

        Assert.NotNull(keptAsBytes);
        Assert.Equal("read: " + expected + ", -1", Read(keptAsText));
        Assert.Equal("read: " + expected + ", -1", Read(keptAsBytes));
        Assert.Equal("read: " + expected + ", -1", Read(tokens));
        Assert.Equal(expected, ClientCapabilityFlagsExtensions.Read(Newtonsoft.Json.Linq.JObject.Parse(capabilities)).ToString());
    }

    [Fact]
    public void RequestedVersionAndEra_AreReadFromMeta_OnBothReads()
    {
        foreach (var text in new[] { "hello", "héllo" })
        {
            var request = Request("{" + Version + "," + NoCapabilities + "}", text);
            Assert.True(ModernProtocol.IsModern(request));
            Assert.Equal("2026-07-28", ModernProtocol.RequestedVersion(request));

            var legacy = Request("{\"progressToken\":7}", text);
            Assert.False(ModernProtocol.IsModern(legacy));
            Assert.Null(ModernProtocol.RequestedVersion(legacy));
        }
    }

    private static JsonRpcMessage Request(string meta, string argument)
    {
        Assert.True(JsonRpcMessage.TryParse(RequestText(meta, argument), out var message, out var error, out _), error?.Message);
        return message!;
    }

    private static string RequestText(string meta, string argument) =>
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"" + argument + "\"},\"_meta\":" + meta + "}}";

    private static string Read(JsonRpcMessage request) => RequestMeta.TryRead(request, out var meta, out var refusal)
        ? $"read: {meta.Capabilities}, {meta.LogRank}"
        : $"{refusal!.Code}: {refusal.Message}";
}
