using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Tests.Support;
using Pmcp.Protocol;
using Xunit.Abstractions;

namespace Pmcp.Actors.Tests.Robustness.Hostile;

/// <summary>
/// Hostile messages on both transports, each answered as README's Outcomes says, while a canary beside them loses
/// nothing: deep nesting, huge members and arrays, numbers out of range, invalid UTF-8, repeated members. Over
/// WebSocket the answer comes on the socket (or the socket is closed with the documented code); over Streamable HTTP a
/// message that is refused gets 400 with the JSON-RPC error as its body.
/// </summary>
[Collection(HostileCollection.Name)]
public sealed class MalformedInputProbes(HostileServer hostile, ITestOutputHelper output) : IClassFixture<HostileServer>
{
    public static TheoryData<string> Transports() => ["websocket", "http"];

    [Theory]
    [MemberData(nameof(Transports))]
    public Task DeepNesting_OfTenThousandAndAHundredThousandLevels_IsAParseError(string transport) => Probe.BesideCanaryAsync(hostile.Server, output, async () =>
    {
        foreach (var depth in new[] { 10_000, 100_000 })
        {
            var nested = string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);
            var answer = await SendAsync(transport, """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"x","deep":""" + nested + "}}}", id: null);

            Assert.Equal(JsonRpcErrorCodes.ParseError, answer.Code);
            Assert.Equal(transport == "http" ? HttpStatusCode.BadRequest : null, answer.Status);
        }
    });

    [Theory]
    [MemberData(nameof(Transports))]
    public Task HugeMembersAndArrays_UnderTheLimit_AreAnswered_AndPastItRefused(string transport) => Probe.BesideCanaryAsync(hostile.Server, output, async () =>
    {
        var limit = hostile.Server.Options.MaxMessageBytes;
        var huge = new string('x', limit - 1024);
        var member = await SendAsync(transport, $$"""{"jsonrpc":"2.0","id":2,"method":"ping","padding":"{{huge}}"}""", id: 2);
        Assert.NotNull(member.Result);

        // A quarter of a million numbers. At MaxMessageBytes an array holds two million, which takes the parser 1.5 to 4.5 s
        // of CPU and some 200 MB here: bounded by MaxMessageBytes, but a budget of values per message is still to come.
        var array = "[" + string.Join(',', Enumerable.Repeat('0', 250_000)) + "]";
        var call = await SendAsync(transport, """{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","arguments":{"text":""" + array + "}}}", id: 3);
        Assert.True(call.Code == JsonRpcErrorCodes.InvalidParams || (bool?)call.Result?["isError"] == true, call.Raw);

        var tooLarge = await SendAsync(transport, $$"""{"jsonrpc":"2.0","id":4,"method":"ping","padding":"{{huge}}{{new string('y', 2048)}}"}""", id: 4);
        if (transport == "http") Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.Status);
        else Assert.Equal(WebSocketCloseStatus.MessageTooBig, tooLarge.Closed);
    });

    [Theory]
    [MemberData(nameof(Transports))]
    public Task NumbersOutOfRange_AreNotParseErrors_AndNameWhatIsWrong(string transport) => Probe.BesideCanaryAsync(hostile.Server, output, async () =>
    {
        var digits = "1" + new string('0', 400);
        var id = await SendAsync(transport, $$"""{"jsonrpc":"2.0","id":{{digits}},"method":"ping"}""", id: null);
        Assert.Equal(JsonRpcErrorCodes.InvalidRequest, id.Code);
        Assert.Contains("A request id must be a string or an integer of at most 64 bits, not 1000000000", id.Message, StringComparison.Ordinal);

        var add = await SendAsync(transport, """{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"add","arguments":{"a":1e999999,"b":-""" + digits + "}}}", id: 5);
        Assert.True((bool?)add.Result?["isError"] == true, add.Raw);
        Assert.StartsWith("Argument 'a' is out of range", (string?)add.Result!["content"]![0]!["text"], StringComparison.Ordinal);
    });

    [Theory]
    [MemberData(nameof(Transports))]
    public Task InvalidUtf8_IsRefused_ByTheOneRuleOfBothTransports(string transport) => Probe.BesideCanaryAsync(hostile.Server, output, async () =>
    {
        var prefix = Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"echo","arguments":{"text":" """.TrimEnd());
        var suffix = Encoding.UTF8.GetBytes("\"}}}");
        byte[] body = [.. prefix, 0xC3, 0x28, 0xFF, .. suffix]; // a broken two-byte sequence and a byte UTF-8 never has

        var answer = await SendAsync(transport, body, id: null);

        if (transport == "http")
        {
            Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
            Assert.Equal(JsonRpcErrorCodes.ParseError, answer.Code);
            Assert.Contains("not valid UTF-8", answer.Message, StringComparison.Ordinal);
        }
        else
        {
            // 1007, as RFC 6455 requires. The WebSocket layer drops the connection right after its close frame; with the
            // rest of the frame unread the kernel may reset the connection before the client reads it (FuzzTests too).
            Assert.True(answer.Closed == WebSocketCloseStatus.InvalidPayloadData || answer.Aborted, answer.Raw);
            Assert.Null(answer.Json); // nothing was run on the text
        }
    });

    [Theory]
    [MemberData(nameof(Transports))]
    public Task RepeatedMembers_AreInvalidRequests_AndNothingRuns(string transport) => Probe.BesideCanaryAsync(hostile.Server, output, async () =>
    {
        var before = hostile.Counted;
        var method = await SendAsync(transport, """{"jsonrpc":"2.0","id":7,"method":"ping","method":"tools/call","params":{"name":"count","arguments":{}}}""", id: 7);
        var name = await SendAsync(transport, """{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"},"name":"count"}}""", id: 8);

        Assert.Equal(JsonRpcErrorCodes.InvalidRequest, method.Code);
        Assert.Contains("The member \"method\" is given more than once", method.Message, StringComparison.Ordinal);
        Assert.Equal(JsonRpcErrorCodes.InvalidRequest, name.Code);
        Assert.Contains("The member \"params.name\" is given more than once", name.Message, StringComparison.Ordinal);
        Assert.Equal(before, hostile.Counted);
    });

    private Task<Answer> SendAsync(string transport, string text, int? id) => SendAsync(transport, Encoding.UTF8.GetBytes(text), id);

    /// <summary>Sends one message on a fresh session of <paramref name="transport"/> and returns what came back.</summary>
    private async Task<Answer> SendAsync(string transport, byte[] body, int? id)
    {
        if (transport == "http")
        {
            await using var http = await McpHttpTestClient.ConnectAsync(hostile.Server.McpHttpUri);
            var request = http.NewPost("");
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var json = response.Content.Headers.ContentType?.MediaType == "application/json" ? JObject.Parse(text) : null;
            return new Answer(text, json, response.StatusCode, null);
        }

        await using var client = await hostile.Server.ConnectAsync();
        client.RequireEveryRequestAnswered = false;
        var answer = id is { } n ? client.ExpectResponse(new JValue(n)) : client.ReadUnmatchedAsync();
        await client.SendTextBytesAsync(body);
        await Task.WhenAny(answer, client.Closed).Within(Deadline.Default, "an answer or a close");
        if (answer.IsCompletedSuccessfully)
        {
            var message = await answer;
            return new Answer(message.Raw, message.Json, null, null);
        }
        var closed = await client.Closed.Within(Deadline.Default, "the socket to close");
        return new Answer(closed.ToString(), null, null, closed.Status, closed.Aborted);
    }

    private sealed record Answer(string Raw, JObject? Json, HttpStatusCode? Status, WebSocketCloseStatus? Closed, bool Aborted = false)
    {
        public int? Code => (int?)Json?["error"]?["code"];

        public string Message => (string?)Json?["error"]?["message"] ?? "";

        public JObject? Result => Json?["result"] as JObject;
    }
}
