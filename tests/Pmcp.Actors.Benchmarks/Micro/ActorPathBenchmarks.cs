using System.Net.WebSockets;
using System.Text;
using Akka.Actor;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Pmcp.Actors.Messages;
using Pmcp.Actors.Runtime;
using Pmcp.Actors.Benchmarks.Load;
using Pmcp.Protocol;
using Pmcp.Actors.Server;
using Pmcp.Actors.Session;
using Pmcp.Actors.Tools;
using Pmcp.Actors.Transport;

namespace Pmcp.Actors.Benchmarks.Micro;

/// <summary>
/// The whole path through the real actors, without a socket: frame bytes → text → ConnectionActor → ToolRouter →
/// ToolWorker (one per call) → ConnectionActor → outlet → frame bytes. 64 calls are pipelined per invocation (the
/// default in-flight limit); time and allocations are per call, all threads counted.
/// </summary>
[MemoryDiagnoser]
public class ActorPathBenchmarks
{
    public const int Batch = 64;

    private ActorSystem _system = null!;
    private IActorRef _connection = null!;
    private readonly CountingOutlet _outlet = new();
    private byte[][] _frames = [];

    [GlobalSetup]
    public void Setup()
    {
        _system = ActorSystem.Create("bench", "akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING");
        var definition = new McpServerBuilder().AddDemoTools().Build();
        var options = new McpServerOptions();
        var tools = Pmcp.Actors.Messages.ToolCatalog.Create(definition.Tools, NullLoggerFactory.Instance); // as the hosted server: the connection runs its node's tools
        var router = _system.ActorOf(ToolRouterActor.Props(definition, options, NullLoggerFactory.Instance, catalog: tools), "pmcp-tools");
        _connection = _system.ActorOf(ConnectionActor.Props(1, definition, options, router, _outlet, inProcessTools: tools), "connection-1");
        _outlet.Expect(1);
        _connection.Tell(new ConnectionProtocol.Inbound(Encoding.UTF8.GetString(McpFrames.Initialize)));
        _outlet.Wait();
        _connection.Tell(new ConnectionProtocol.Inbound(Encoding.UTF8.GetString(McpFrames.Initialized)));
        _frames = Enumerable.Range(1, Batch).Select(i => McpFrames.Call(i)).ToArray();
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "frame → actors → frame, 64 pipelined calls")]
    public void PipelinedCalls()
    {
        _outlet.Expect(Batch);
        // As the read loop does: each frame read from its bytes, the message told to the actor.
        foreach (var frame in _frames)
        {
            if (!JsonRpcMessage.TryParseStrict(frame, out var message)) throw new InvalidOperationException("the call frame did not parse");
            _connection.Tell(new ConnectionProtocol.InboundMessage(message, frame.Length));
        }
        _outlet.Wait();
    }

    [GlobalCleanup]
    public void Cleanup() => _system.Terminate().Wait(TimeSpan.FromSeconds(10));

    /// <summary>A socket that encodes what it is given, as the socket's sender does, and counts the messages.</summary>
    private sealed class CountingOutlet : IConnectionOutlet
    {
        private readonly byte[] _buffer = new byte[64 * 1024];
        private readonly ManualResetEventSlim _done = new();
        private int _remaining;

        public void Expect(int count)
        {
            _done.Reset();
            Volatile.Write(ref _remaining, count);
        }

        public void Wait()
        {
            if (!_done.Wait(TimeSpan.FromSeconds(30))) throw new TimeoutException("the actors did not answer");
        }

        public bool Send(string json, Pmcp.Protocol.RequestId? related = null, bool final = false)
        {
            Encoding.UTF8.GetBytes(json, _buffer);
            if (Interlocked.Decrement(ref _remaining) == 0) _done.Set();
            return true;
        }

        public void Close(CloseReason reason)
        {
        }

        public void PauseReading()
        {
        }

        public void ResumeReading()
        {
        }
    }
}
