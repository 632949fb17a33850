using Newtonsoft.Json.Linq;
using Pmcp.Client;
using Pmcp.Protocol;
using Xunit;

namespace Pmcp.Actors.TestKit;

/// <summary>Assertions on what a client sees: results, tool errors and JSON-RPC errors, with messages that show the result.</summary>
public static class McpAssert
{
    /// <summary>The result succeeded and its only content block is the text <paramref name="expected"/>.</summary>
    public static void Text(string expected, CallToolResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Assert.True(result.IsError != true, $"expected a result, got a tool error: {Describe(result)}");
        var block = Assert.Single(result.Content);
        Assert.Equal(expected, Assert.IsType<TextContent>(block).Text);
    }

    /// <summary>The tool reported a failure (<c>isError: true</c>) whose text contains <paramref name="expectedPart"/>.</summary>
    public static void ToolError(string expectedPart, CallToolResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Assert.True(result.IsError == true, $"expected a tool error, got: {Describe(result)}");
        Assert.Contains(expectedPart, string.Join("\n", result.Content.OfType<TextContent>().Select(t => t.Text)), StringComparison.Ordinal);
    }

    /// <summary>The result's <c>structuredContent</c>, read as <typeparamref name="T"/>.</summary>
    public static T Structured<T>(CallToolResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Assert.True(result.IsError != true, $"expected a result, got a tool error: {Describe(result)}");
        Assert.True(result.StructuredContent is not null, $"the result has no structuredContent: {Describe(result)}");
        return result.StructuredContent!.ToObject<T>(McpJson.Serializer)!;
    }

    /// <summary>The request was answered with JSON-RPC error <paramref name="code"/> (e.g. -32602); returns it.</summary>
    public static async Task<McpProtocolException> JsonRpcErrorAsync(int code, Func<Task> request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var error = await Assert.ThrowsAsync<McpProtocolException>(request).ConfigureAwait(false);
        Assert.True(error.Code == code, $"expected JSON-RPC error {code}, got {error.Code}: {error.Message}");
        return error;
    }

    private static string Describe(CallToolResult result) => McpJson.Serialize(result);
}
