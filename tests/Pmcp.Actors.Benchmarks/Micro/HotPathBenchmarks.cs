using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Benchmarks.Load;
using Pmcp.Actors.Benchmarks.Servers;
using Pmcp.Actors.Server;
using Pmcp.Actors.Tools;
using Pmcp.Protocol;

namespace Pmcp.Actors.Benchmarks.Micro;

/// <summary>
/// Each step one <c>tools/call echo</c> frame takes through Pmcp.Actors, on one thread and without the actors between
/// them (what the read loop, the ConnectionActor running a tool of its own node, and the socket's sender each do), the
/// whole of it, and the thin baseline's answer to the same frame.
/// </summary>
[MemoryDiagnoser]
public class HotPathBenchmarks
{
    private readonly byte[] _frame = McpFrames.Call(42);
    private readonly byte[] _out = new byte[4096];
    private readonly ArrayBufferWriter<byte> _baselineOut = new(512);
    private Utf8JsonWriter _baselineWriter = null!;
    private JsonRpcMessage _message = null!;
    private JObject _arguments = null!;
    private McpToolHandler _echo = null!;
    private ToolContext _context = null!;
    private CallToolResult _result = null!;
    private string _resultJson = "";
    private string _responseJson = "";

    [GlobalSetup]
    public void Setup()
    {
        _ = JsonRpcMessage.TryParseStrict(_frame, out var message);
        _message = message!;
        _arguments = Dispatch();
        _echo = new McpServerBuilder().AddDemoTools().Build().Tools.Single(t => t.Name == "echo").Handler;
        // The echo handler reads only its arguments; ToolContext's constructor is internal to Pmcp.Actors.
        _context = (ToolContext)RuntimeHelpers.GetUninitializedObject(typeof(ToolContext));
        _result = Tool();
        _resultJson = SerializeResult();
        _responseJson = JsonRpcWriter.ResultRaw(_message.Id!.Value, _resultJson);
        _baselineWriter = new Utf8JsonWriter(_baselineOut);
    }

    [Benchmark(Description = "1 read loop: parse and validate the envelope from the frame's bytes")]
    public object Parse() // object: the envelope type is internal to Pmcp.Protocol, and BenchmarkDotNet consumes a reference either way
    {
        _ = JsonRpcMessage.TryParseStrict(_frame, out var message);
        return message!;
    }

    [Benchmark(Description = "2 ConnectionActor: check tools/call params (arguments are handed over as parsed)")]
    public JObject Dispatch()
    {
        var parameters = _message.Params!;
        if (parameters["name"] is not { Type: JTokenType.String }) throw new InvalidOperationException();
        _ = parameters["_meta"]?["progressToken"];
        return parameters["arguments"] as JObject ?? [];
    }

    [Benchmark(Description = "3 run echo")]
    public CallToolResult Tool() => _echo(_arguments, _context).GetAwaiter().GetResult();

    [Benchmark(Description = "4 serialize the result")]
    public string SerializeResult() => McpJson.Serialize(_result);

    [Benchmark(Description = "5 ConnectionActor: write the JSON-RPC response")]
    public string WriteResponse() => JsonRpcWriter.ResultRaw(_message.Id!.Value, _resultJson);

    [Benchmark(Description = "6 socket send: text to frame bytes")]
    public int Encode() => Encoding.UTF8.GetBytes(_responseJson, _out);

    [Benchmark(Description = "Pmcp.Actors: steps 1-6 in a row")]
    public int WholePath()
    {
        _ = JsonRpcMessage.TryParseStrict(_frame, out var message);
        var parameters = message!.Params!;
        if (parameters["name"] is not { Type: JTokenType.String }) throw new InvalidOperationException();
        var arguments = parameters["arguments"] as JObject ?? [];
        var result = _echo(arguments, _context).GetAwaiter().GetResult();
        var response = JsonRpcWriter.ResultRaw(message.Id!.Value, McpJson.Serialize(result));
        return Encoding.UTF8.GetBytes(response, _out);
    }

    [Benchmark(Baseline = true, Description = "thin baseline: frame to answer (System.Text.Json)")]
    public int ThinBaseline()
    {
        _baselineOut.ResetWrittenCount();
        _baselineWriter.Reset(_baselineOut);
        ThinJsonRpc.Answer(new System.Buffers.ReadOnlySequence<byte>(_frame), _baselineWriter);
        _baselineWriter.Flush();
        return _baselineOut.WrittenCount;
    }
}
