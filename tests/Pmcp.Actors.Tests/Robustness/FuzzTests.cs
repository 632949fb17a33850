using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using Akka.Actor;
using Newtonsoft.Json.Linq;
using Pmcp.Actors.Runtime;
using Pmcp.Actors.Server;
using Pmcp.Actors.Tests.Support;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Pmcp.Actors.Tests.Robustness;

/// <summary>
/// Thousands of malformed inputs over several connections at once, each checked against the answer the README's
/// "Outcomes" tables document, while a well-behaved client calls echo alongside. Seeded: the seed is printed, and
/// <c>PMCP_FUZZ_SEED</c> replays a run.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private const int DefaultSeed = 20_260_601;
    private const int Connections = 8;
    private const int InputsPerConnection = 1_250;
    private const int PreInitializeInputs = 12;
    private const int Window = 40;
    private const int MaxMessageBytes = 1024 * 1024;

    [Fact]
    public async Task Server_GivesEachMalformedInputItsDocumentedAnswer_WhileAWellBehavedClientIsServed()
    {
        var seed = Environment.GetEnvironmentVariable("PMCP_FUZZ_SEED") is { Length: > 0 } env
            ? int.Parse(env, CultureInfo.InvariantCulture)
            : DefaultSeed;
        output.WriteLine($"fuzz seed {seed} (set PMCP_FUZZ_SEED={seed} to replay)");

        await using var server = await TestServer.StartAsync(
            mcp => mcp.AddDemoFeatures(),
            o => o.MaxMessageBytes = MaxMessageBytes);
        var errors = ActorErrors.Collect(server.ActorSystem);
        var counts = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();

        using var stop = new CancellationTokenSource();
        var wellBehaved = WellBehavedClientAsync(server, stop.Token);
        var fuzzers = Enumerable.Range(0, Connections).Select(i => FuzzConnectionAsync(server, new Random(seed + i), $"c{i}-", counts)).ToList();
        fuzzers.Add(ThrowawayConnectionsAsync(server, new Random(seed - 1), counts));
        try
        {
            await Task.WhenAll(fuzzers).Within(TimeSpan.FromSeconds(90), "the fuzz connections to finish");
        }
        finally
        {
            stop.Cancel();
        }

        var echoes = await wellBehaved.Within(Deadline.Default, "the well-behaved client to stop");
        var total = counts.Where(c => !c.Key.StartsWith(' ')).Sum(c => c.Value);
        output.WriteLine($"{total} inputs in {clock.ElapsedMilliseconds} ms; the well-behaved client made {echoes} echo calls meanwhile");
        foreach (var (name, count) in counts.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"  {count,6}  {name}");
        }

        Assert.True(total >= 10_000, $"only {total} inputs");
        Assert.True(echoes > 0, "the well-behaved client made no call");

        // The server still takes new connections and answers them, and no actor failed along the way.
        await using var newcomer = await server.ConnectAsync();
        (await newcomer.PingAsync()).EnsureSuccess();
        Assert.Equal("still here", (await newcomer.CallToolAsync("echo", new { text = "still here" })).ToolText());
        Assert.Empty(errors.Errors);
    }

    private static async Task FuzzConnectionAsync(TestServer server, Random random, string idPrefix, ConcurrentDictionary<string, int> counts)
    {
        var inputs = new FuzzInputs(random, idPrefix);
        await using var client = await server.ConnectAsync(initialize: false);
        var nullIdAnswers = new List<FuzzCase>();

        var before = Enumerable.Range(0, PreInitializeInputs).Select(_ => inputs.NextBeforeInitialize()).ToList();
        await SendAndCheckAsync(client, before, nullIdAnswers, counts);
        await client.InitializeAsync();

        for (var sent = 0; sent < InputsPerConnection; sent += Window)
        {
            var window = Enumerable.Range(0, Math.Min(Window, InputsPerConnection - sent)).Select(_ => inputs.Next()).ToList();
            await SendAndCheckAsync(client, window, nullIdAnswers, counts);
        }

        // A ping is answered after every input sent before it has been read: the id-null answers are all in by then.
        (await client.PingAsync()).EnsureSuccess();
        var unexpected = client.Received.Where(m => m.Method is not null).Select(m => m.ToString()).ToList();
        var nullIds = client.Received.Where(m => m.Method is null && m.Id is null or { Type: JTokenType.Null }).ToList();
        var problems = new List<string>();
        problems.AddRange(unexpected.Select(u => "unexpected message from the server: " + u));
        if (nullIds.Count != nullIdAnswers.Count)
        {
            problems.Add($"{nullIds.Count} answers with id null for {nullIdAnswers.Count} inputs that expect one");
        }

        for (var i = 0; i < Math.Min(nullIds.Count, nullIdAnswers.Count); i++)
        {
            var expected = ((ErrorWithNullId)nullIdAnswers[i].Expect).Code;
            if (nullIds[i].ErrorCode != expected || !nullIds[i].Raw.Contains("\"id\":null", StringComparison.Ordinal))
            {
                problems.Add($"{nullIdAnswers[i]} expected {expected} with id null, got {Shorten(nullIds[i].Raw)}");
            }
        }

        Assert.True(problems.Count == 0, $"connection {idPrefix}: {problems.Count} problem(s):{Environment.NewLine}{string.Join(Environment.NewLine, problems.Take(20))}");
        Assert.Equal(WebSocketState.Open, client.State);
    }

    /// <summary>Sends each input (registering the answer it expects), then checks every answer that has an id.</summary>
    private static async Task SendAndCheckAsync(McpTestClient client, List<FuzzCase> cases, List<FuzzCase> nullIdAnswers, ConcurrentDictionary<string, int> counts)
    {
        var waiting = new List<(FuzzCase Case, Task<WireMessage> Answer)>();
        foreach (var input in cases)
        {
            counts.AddOrUpdate(input.Class, 1, (_, n) => n + 1);
            if (input.Expect.Id is { } id)
            {
                waiting.Add((input, client.ExpectResponse(id)));
            }
            else if (input.Expect is ErrorWithNullId)
            {
                nullIdAnswers.Add(input);
            }

            await client.SendTextAsync(input.Text);
        }

        var problems = new List<string>();
        foreach (var (input, answer) in waiting)
        {
            WireMessage message;
            try
            {
                message = await answer.Within(Deadline.Default, $"the answer to {input}");
            }
            catch (Exception ex) when (ex is TimeoutException or WebSocketException)
            {
                problems.Add($"{input}: no answer ({ex.Message}); socket {client.CloseState}");
                continue;
            }

            if (Mismatch(input.Expect, message) is { } why)
            {
                problems.Add($"{input}: {why}; got {Shorten(message.Raw)}");
            }
        }

        if (problems.Count > 0)
        {
            throw new XunitException($"{problems.Count} input(s) did not get their documented answer:{Environment.NewLine}{string.Join(Environment.NewLine, problems.Take(20))}");
        }
    }

    private static string? Mismatch(Expectation expect, WireMessage message) => expect switch
    {
        ErrorWithId e when message.ErrorCode != e.Code => $"expected error {e.Code}",
        ErrorWithId => message.Error?["message"]?.Type == JTokenType.String ? null : "the error has no message",
        Success s when message.Result is null => "expected a result",
        Success s when message.IsToolError => "expected a result, not isError",
        Success s => s.Check?.Invoke(message.Result!),
        ToolError when message.Result is null || !message.IsToolError => "expected a tools/call result with isError: true",
        _ => null,
    };

    /// <summary>Inputs that close the socket, each on its own connection: invalid UTF-8 (1007), binary (1003), oversize (1009).</summary>
    private static async Task ThrowawayConnectionsAsync(TestServer server, Random random, ConcurrentDictionary<string, int> counts)
    {
        byte[][] invalidUtf8 =
        [
            [0x80], [0xC3, 0x28], [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xF5, 0x80, 0x80, 0x80],
            [0xFE], [0xFF], [0xE2, 0x82], [0xF0, 0x9F, 0x98], [0xF4, 0x90, 0x80, 0x80],
        ];
        var request = Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"xxxxxxxx"}}}""");
        var cases = new List<(string Class, WebSocketCloseStatus Status, Func<McpTestClient, Task> Send)>();
        foreach (var bad in invalidUtf8)
        {
            // Invalid bytes inside a string of an otherwise valid request, and at its very end.
            var at = random.Next(60, request.Length - 10);
            cases.Add(("invalid-utf8", WebSocketCloseStatus.InvalidPayloadData, c => c.SendTextBytesAsync([.. request[..at], .. bad, .. request[at..]])));
            cases.Add(("invalid-utf8", WebSocketCloseStatus.InvalidPayloadData, c => c.SendTextBytesAsync([.. request, .. bad])));
        }

        for (var i = 0; i < 10; i++)
        {
            var payload = random.Next(2) == 0 ? request : RandomBytes(random, random.Next(0, 2000));
            cases.Add(("binary-frame", WebSocketCloseStatus.InvalidMessageType, c => c.SendBinaryAsync(payload)));
        }

        for (var i = 0; i < 6; i++)
        {
            var size = MaxMessageBytes + 1 + random.Next(0, 100_000);
            var text = new byte[size];
            Array.Fill(text, (byte)'x');
            cases.Add(("oversize", WebSocketCloseStatus.MessageTooBig, c => c.SendTextBytesAsync(text)));
            var half = new byte[(size / 2) + 1];
            Array.Fill(half, (byte)'y');
            cases.Add(("oversize-fragmented", WebSocketCloseStatus.MessageTooBig, c => c.SendFragmentedBytesAsync(half, half)));
        }

        foreach (var (name, status, send) in cases)
        {
            counts.AddOrUpdate(name, 1, (_, n) => n + 1);
            await using var client = await server.ConnectAsync();
            await send(client);
            var closed = await client.WaitForCloseAsync();

            // The WebSocket layer answers invalid UTF-8 with 1007 and drops the connection at once; when the rest of
            // the frame is still unread on the server, the kernel resets the connection and the client may lose the
            // close frame. So for that input an abort is an acceptable ending, as for a slow reader.
            var ok = closed.Status == status || (closed.Aborted && status == WebSocketCloseStatus.InvalidPayloadData);
            Assert.True(ok, $"{name}: expected close {(int)status}, got {closed}");
            counts.AddOrUpdate($"  ({name} ended by {(closed.Aborted ? "abort" : "close " + (int)status)})", 1, (_, n) => n + 1);
        }
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>Echo calls one after another until told to stop; every one must come back unchanged.</summary>
    private static async Task<int> WellBehavedClientAsync(TestServer server, CancellationToken stop)
    {
        await using var client = await server.ConnectAsync();
        var calls = 0;
        while (!stop.IsCancellationRequested)
        {
            var text = $"well-behaved {calls}";
            Assert.Equal(text, (await client.CallToolAsync("echo", new { text })).ToolText());
            calls++;
        }

        return calls;
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + $"... ({text.Length} chars)";
}

/// <summary>Collects the Error events of an actor system (an actor that throws publishes one) from now on.</summary>
internal sealed class ActorErrors
{
    private readonly ConcurrentQueue<string> _errors = new();

    private ActorErrors()
    {
    }

    public IReadOnlyCollection<string> Errors => _errors;

    public static ActorErrors Collect(ActorSystem system)
    {
        var errors = new ActorErrors();
        var listener = system.ActorOf(Props.Create(() => new Listener(errors._errors)));
        system.EventStream.Subscribe(listener, typeof(Akka.Event.Error));
        return errors;
    }

    private sealed class Listener : ReceiveActor
    {
        public Listener(ConcurrentQueue<string> errors) =>
            Receive<Akka.Event.Error>(e => errors.Enqueue($"{e.LogSource}: {e.Message} {e.Cause}"));
    }
}
