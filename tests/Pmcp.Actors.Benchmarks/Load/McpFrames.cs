using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace Pmcp.Actors.Benchmarks.Load;

/// <summary>The JSON-RPC texts the load generators send, and the few facts they read back from an answer.</summary>
internal static class McpFrames
{
    public const string ProtocolVersion = "2025-11-25";

    /// <summary>The stateless revision: no initialize, no session; every request names its revision in <c>params._meta</c> and in headers.</summary>
    public const string StatelessProtocolVersion = "2026-07-28";
    public const string EchoText = "hello from the load generator";

    public static readonly byte[] Initialize = Encoding.UTF8.GetBytes(
        "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"" + ProtocolVersion +
        "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"pmcp-loadgen\",\"version\":\"1.0.0\"}}}");

    public static readonly byte[] Initialized = Encoding.UTF8.GetBytes("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");

    private static readonly byte[] CallPrefix = Encoding.UTF8.GetBytes("{\"jsonrpc\":\"2.0\",\"id\":");
    private static readonly byte[] CallSuffix = Encoding.UTF8.GetBytes(
        ",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"" + EchoText + "\"}}}");

    public static int MaxCallLength => CallPrefix.Length + 20 + Math.Max(CallSuffix.Length, SleepSuffix(600_000).Length);

    /// <summary>The end of a <c>tools/call sleep</c> request that waits <paramref name="ms"/> milliseconds (the cluster scenario's tool).</summary>
    public static byte[] SleepSuffix(int ms) => Encoding.UTF8.GetBytes(
        ",\"method\":\"tools/call\",\"params\":{\"name\":\"sleep\",\"arguments\":{\"ms\":" + ms.ToString(System.Globalization.CultureInfo.InvariantCulture) + "}}}");

    /// <summary>Writes a request with this id and <paramref name="suffix"/> (the method and params) into <paramref name="destination"/>; returns its length.</summary>
    public static int WriteCall(long id, Span<byte> destination, ReadOnlySpan<byte> suffix)
    {
        CallPrefix.CopyTo(destination);
        var at = CallPrefix.Length;
        if (!Utf8Formatter.TryFormat(id, destination[at..], out var written)) throw new ArgumentException("buffer too small");
        at += written;
        suffix.CopyTo(destination[at..]);
        return at + suffix.Length;
    }

    /// <summary>Writes a <c>tools/call echo</c> request with this id into <paramref name="destination"/>; returns its length.</summary>
    public static int WriteCall(long id, Span<byte> destination)
    {
        CallPrefix.CopyTo(destination);
        var at = CallPrefix.Length;
        if (!Utf8Formatter.TryFormat(id, destination[at..], out var written)) throw new ArgumentException("buffer too small");
        at += written;
        CallSuffix.CopyTo(destination[at..]);
        return at + CallSuffix.Length;
    }

    public static byte[] Call(long id)
    {
        var buffer = new byte[MaxCallLength];
        return buffer.AsSpan(0, WriteCall(id, buffer)).ToArray();
    }

    /// <summary>
    /// The end of a 2026-07-28 <c>tools/call echo</c>: the same call, with the request metadata that revision requires of
    /// every request (its version and the client's capabilities; the client's name is optional and sent).
    /// </summary>
    private static readonly byte[] StatelessCallSuffix = Encoding.UTF8.GetBytes(
        ",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"" + EchoText + "\"}," +
        "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"" + StatelessProtocolVersion + "\"," +
        "\"io.modelcontextprotocol/clientInfo\":{\"name\":\"pmcp-loadgen\",\"version\":\"1.0.0\"}," +
        "\"io.modelcontextprotocol/clientCapabilities\":{}}}}");

    /// <summary>A 2026-07-28 stateless <c>tools/call echo</c> request with this id.</summary>
    public static byte[] StatelessCall(long id)
    {
        var buffer = new byte[CallPrefix.Length + 20 + StatelessCallSuffix.Length];
        return buffer.AsSpan(0, WriteCall(id, buffer, StatelessCallSuffix)).ToArray();
    }

    /// <summary>
    /// Reads the top-level <c>id</c> (an integer, or -1) of an answer and whether it failed: a JSON-RPC error, a
    /// result with <c>isError: true</c>, or, for an echo call, a text that is not the one sent.
    /// </summary>
    public static (long Id, bool Failed) ReadAnswer(ReadOnlySpan<byte> json, bool expectEcho)
    {
        var reader = new Utf8JsonReader(json);
        long id = -1;
        var failed = false;
        var sawEcho = !expectEcho;
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType != JsonTokenType.PropertyName) continue;
                if (reader.CurrentDepth == 1 && reader.ValueTextEquals("id"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.Number) id = reader.GetInt64();
                }
                else if (reader.CurrentDepth == 1 && reader.ValueTextEquals("error"u8))
                {
                    failed = true;
                }
                else if (reader.CurrentDepth == 2 && reader.ValueTextEquals("isError"u8))
                {
                    reader.Read();
                    failed |= reader.TokenType == JsonTokenType.True;
                }
                else if (expectEcho && reader.ValueTextEquals("text"u8))
                {
                    reader.Read();
                    sawEcho |= reader.TokenType == JsonTokenType.String && reader.ValueTextEquals(EchoText);
                }
            }
        }
        catch (JsonException)
        {
            failed = true;
        }
        return (id, failed || !sawEcho);
    }

    /// <summary>The JSON of the first <c>data:</c> line of a server-sent-events body.</summary>
    public static ReadOnlySpan<byte> SseData(ReadOnlySpan<byte> body)
    {
        var at = body.IndexOf("data:"u8);
        if (at < 0) return body; // not SSE: a plain JSON body
        var rest = body[(at + 5)..];
        var end = rest.IndexOf((byte)'\n');
        if (end >= 0) rest = rest[..end];
        return rest.Trim(" \r"u8);
    }

    public static ArrayBufferWriter<byte> NewBuffer() => new(4096);
}
