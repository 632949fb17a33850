using Newtonsoft.Json.Linq;
using Pmcp.Actors.Server;
using Pmcp.Actors.Tests.Support;

namespace Pmcp.Actors.Tests.Loopback;

/// <summary>
/// The demo tools keep to their own schemas with numbers at the edges of JSON: an argument out of a tool's range is an
/// <c>isError</c> result that names it (README: argument errors name the argument), and <c>stats</c> never answers a
/// non-number against its number <c>outputSchema</c>. Numbers are sent as raw text, as a client would write them.
/// </summary>
public sealed class DemoToolRangeTests : IAsyncLifetime
{
    private TestServer _server = null!;
    private McpTestClient _client = null!;
    private int _nextId = 1000;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync(configureServer: mcp => mcp.AddDemoFeatures());
        _client = await _server.ConnectAsync();
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Theory]
    [InlineData("""{"numbers":[1,1e999999]}""", "Argument 'numbers' is out of range: numbers[1] is beyond a double's range")]
    [InlineData("""{"numbers":[1e308,1e308]}""", "Argument 'numbers' is out of range: their sum is beyond a double's range")]
    [InlineData("""{"a":1e400,"b":1}""", "Argument 'a' is out of range: it must be a finite number at most 7.9E+028 in size.")]
    [InlineData("""{"a":1,"b":-1e29}""", "Argument 'b' is out of range: it must be a finite number at most 7.9E+028 in size.")]
    [InlineData("""{"a":1,"b":123456789012345678901234567890123}""", "Argument 'b' is out of range")]
    [InlineData("""{"a":7e28,"b":7e28}""", "The sum of arguments 'a' and 'b' is out of range")]
    [InlineData("""{"ms":99999999999999999999}""", "Argument 'ms' is required and must be an integer from 0 to 600000.")]
    [InlineData("""{"ms":-1}""", "Argument 'ms' is required and must be an integer from 0 to 600000.")]
    public async Task OutOfRangeArgument_IsAnIsErrorResult_NamingIt(string arguments, string expected)
    {
        var tool = arguments.Contains("numbers", StringComparison.Ordinal) ? "stats" : arguments.Contains("\"ms\"", StringComparison.Ordinal) ? "sleep" : "add";

        var answer = await CallRawAsync(tool, arguments);

        Assert.True(answer.IsToolError, answer.Raw);
        Assert.StartsWith(expected, answer.FirstText, StringComparison.Ordinal);
        Assert.Null(answer.Result!["structuredContent"]);
    }

    [Theory]
    [InlineData(321)] // a BigInteger as read, past a double
    [InlineData(401)] // past Json.NET's integer limit: read as the double it rounds to, infinity
    public async Task Stats_OfAnIntegerPastADouble_IsAnIsErrorResult_NamingIt(int digits)
    {
        var answer = await CallRawAsync("stats", """{"numbers":[2,-1""" + new string('0', digits - 1) + "]}");

        Assert.True(answer.IsToolError, answer.Raw);
        Assert.StartsWith("Argument 'numbers' is out of range: numbers[1] is beyond a double's range", answer.FirstText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stats_AnswersNumbersThatFitItsSchema()
    {
        var answer = await CallRawAsync("stats", """{"numbers":[1.5,2,1e300,-1e300]}""");

        Assert.False(answer.IsToolError, answer.Raw);
        var stats = (JObject)answer.Result!["structuredContent"]!;
        foreach (var name in new[] { "count", "sum", "mean", "min", "max" })
            Assert.True(stats[name]!.Type is JTokenType.Integer or JTokenType.Float, $"{name} is {stats[name]!.Type}: {answer.Raw}");
        Assert.Equal(4, (int)stats["count"]!);
        Assert.Equal(1e300, (double)stats["max"]!);
    }

    [Fact]
    public async Task Add_OfLargeIntegersInDecimalRange_IsExact()
    {
        var answer = await CallRawAsync("add", """{"a":12345678901234567890123,"b":0.1}""");

        Assert.False(answer.IsToolError, answer.Raw);
        Assert.Equal("12345678901234567890123.1", answer.ToolText());
    }

    private async Task<WireMessage> CallRawAsync(string tool, string arguments)
    {
        var id = Interlocked.Increment(ref _nextId);
        var response = _client.ExpectResponse(new JValue(id));
        await _client.SendTextAsync("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool + "\",\"arguments\":" + arguments + "}}");
        return await response.Within(Deadline.Default, $"the answer to {tool} {arguments}");
    }
}
