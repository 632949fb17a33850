using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using Akka.Actor;
using Microsoft.AspNetCore.Http;

namespace Pmcp.Actors.Benchmarks.Servers;

/// <summary>
/// The thin WebSocket baseline with one actor hop per message, and nothing else added: the same Kestrel WebSocket, the
/// same receive loop and the same System.Text.Json answers (<see cref="ThinJsonRpc"/>), but the loop hands each message
/// to an actor of its connection (a default Akka.NET <see cref="ActorSystem"/>, as the server ships with), which answers
/// it and sends the answer on the socket from its own thread, as Pmcp.Actors' ConnectionActor does. It measures what the
/// actor design itself costs on this machine: the wake-up of a pool thread per message and the hand-over of the bytes,
/// with no MCP in it (issue 29: how far the thin baseline's figures are within reach of a server built on actors).
/// </summary>
internal static class ActorHopBaselineServer
{
    public static async Task<int> RunAsync(string host, int port)
    {
        using var system = ActorSystem.Create("actor-hop-baseline", "akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING");
        await ThinWebSocketHost.RunAsync(host, port, context => HandleAsync(context, system)).ConfigureAwait(false);
        await system.Terminate().ConfigureAwait(false);
        return 0;
    }

    private static async Task HandleAsync(HttpContext context, ActorSystem system)
    {
        using var socket = await ThinWebSocketHost.AcceptAsync(context).ConfigureAwait(false);
        if (socket is null) return;

        var connection = system.ActorOf(Props.Create(() => new AnsweringActor(socket)));
        var buffer = ArrayPool<byte>.Shared.Rent(ThinWebSocketHost.FirstBufferSize);
        var count = 0;
        try
        {
            while (true)
            {
                buffer = ThinWebSocketHost.WithRoom(buffer, count);
                var result = await socket.ReceiveAsync(buffer.AsMemory(count), CancellationToken.None).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close) break;
                count += result.Count;
                if (!result.EndOfMessage) continue;

                // The message's bytes go to the actor: the receive buffer is the loop's again at once.
                connection.Tell(buffer.AsSpan(0, count).ToArray());
                count = 0;
            }
            // The close frame is answered by the actor, after every answer it still has to send.
            await connection.Ask<Closed>(Closed.Instance, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or AskTimeoutException)
        {
        }
        finally
        {
            connection.Tell(PoisonPill.Instance);
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private sealed class Closed
    {
        public static readonly Closed Instance = new();
    }

    private sealed class SendDone
    {
        public static readonly SendDone Instance = new();
    }

    /// <summary>
    /// Answers a connection's messages one at a time and sends each answer on the socket from its own thread. A send
    /// that does not complete at once (a full socket buffer) holds the next answers in order until it does, since a
    /// WebSocket takes one send at a time.
    /// </summary>
    private sealed class AnsweringActor(WebSocket socket) : UntypedActor
    {
        private readonly ArrayBufferWriter<byte> _output = new(512);
        private readonly Queue<byte[]> _waiting = new();
        private Utf8JsonWriter? _writer;
        private bool _sending;
        private IActorRef? _closeAsker;

        protected override void OnReceive(object message)
        {
            switch (message)
            {
                case byte[] bytes:
                    Answer(bytes);
                    break;
                case SendDone:
                    _sending = false;
                    SendWaiting();
                    break;
                case Closed:
                    _closeAsker = Sender;
                    SendWaiting();
                    break;
            }
        }

        private void Answer(byte[] bytes)
        {
            _output.ResetWrittenCount();
            if (_writer is null) _writer = new Utf8JsonWriter(_output);
            else _writer.Reset(_output);
            if (ThinJsonRpc.Answer(new ReadOnlySequence<byte>(bytes), _writer) == ThinMessageKind.Notification) return;
            _writer.Flush();
            if (_sending || _waiting.Count > 0)
            {
                _waiting.Enqueue(_output.WrittenSpan.ToArray());
                return;
            }
            // The writer's buffer is free again once SendAsync returns: the WebSocket frames the payload into a buffer of
            // its own before it writes (the thin baseline reuses its buffer the same way).
            Send(_output.WrittenMemory);
        }

        private void SendWaiting()
        {
            while (!_sending && _waiting.TryDequeue(out var answer)) Send(answer);
            if (!_sending && _closeAsker is { } asker)
            {
                _closeAsker = null;
                var closing = socket.State == WebSocketState.CloseReceived
                    ? socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None)
                    : Task.CompletedTask;
                closing.ContinueWith(_ => Closed.Instance, TaskScheduler.Default).PipeTo(asker);
            }
        }

        private void Send(ReadOnlyMemory<byte> answer)
        {
            var sending = socket.SendAsync(answer, WebSocketMessageType.Text, true, CancellationToken.None);
            if (sending.IsCompletedSuccessfully) return;
            _sending = true;
            sending.AsTask().ContinueWith(_ => SendDone.Instance, TaskScheduler.Default).PipeTo(Self);
        }

        protected override void PostStop() => _writer?.Dispose();
    }
}
