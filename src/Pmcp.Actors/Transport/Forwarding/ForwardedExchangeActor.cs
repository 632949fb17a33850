using System.Threading.Channels;
using Akka.Actor;
using Microsoft.AspNetCore.Http;
using Pmcp.Actors.Messages;
using Pmcp.Actors.Session;
using Pmcp.Actors.Transport;
using Pmcp.Protocol;
using static Pmcp.Actors.Transport.Forwarding.ForwardedSessionProtocol;

namespace Pmcp.Actors.Transport.Forwarding;

/// <summary>
/// On the gateway that holds a session: one POSTed request, or the GET stream, received by another gateway. It does
/// what the local endpoint does for it (a stream registered under the request id, the session's in-flight limit, the
/// message handed to the ConnectionActor; or the GET stream attached) and relays what the session sends to the serving
/// gateway's relay, within the credit it grants. When the relay goes (its client went away, or its node did), the
/// stream is given back as a local client's would be: a POST's later messages are rerouted, the GET stream detached.
/// </summary>
internal sealed class ForwardedExchangeActor : ReceiveActor
{
    private readonly StreamableHttpSession _session;
    private readonly JsonRpcMessage? _request;
    private readonly IActorRef _relay;
    private readonly CancellationTokenSource _stopping = new();
    private StreamableHttpSession.PostStream? _post;
    private ChannelReader<string>? _getStream;
    private int _credit = Window;
    private bool _waiting;
    private bool _finished;

    private sealed record Readable
    {
        public static readonly Readable Instance = new();
    }

    private sealed record Available(bool More);

    /// <param name="request">The POSTed request; null for the GET stream.</param>
    public ForwardedExchangeActor(StreamableHttpSession session, JsonRpcMessage? request, IActorRef relay)
    {
        _session = session;
        _request = request;
        _relay = relay;

        Receive<Readable>(_ => !_finished, _ =>
        {
            _session.Actor.Tell(new ConnectionProtocol.InboundMessage(_request!));
            ReadNext();
        });
        Receive<Available>(_ => !_finished, available =>
        {
            _waiting = false;
            if (available.More) Relay();
            else Finish(new ExchangeEnded(_session.HasEnded));
        });
        Receive<Credit>(_ => !_finished, credit =>
        {
            _credit += credit.Count;
            ReadNext();
        });
        Receive<Terminated>(t => t.ActorRef.Equals(_relay), _ => Context.Stop(Self));
        ReceiveAny(_ => { }); // late waits and grants after the last message
    }

    public static Props Props(StreamableHttpSession session, JsonRpcMessage? request, IActorRef relay) =>
        Akka.Actor.Props.Create(() => new ForwardedExchangeActor(session, request, relay));

    protected override void PreStart()
    {
        Context.Watch(_relay);
        _session.Enter();
        if (_request is null)
        {
            _getStream = _session.AttachGet();
            if (_getStream is null)
            {
                Finish(new ExchangeRefused(StatusCodes.Status409Conflict, "This session's SSE stream is already open."));
                return;
            }
            _relay.Tell(new StreamOpened());
            ReadNext();
            return;
        }

        var id = _request.Id!.Value;
        _post = _session.OpenPost(id);
        if (_post is null)
        {
            Finish(_session.HasEnded
                ? new ExchangeRefused(StatusCodes.Status404NotFound, "The session ended.")
                : new Outbound(McpSession.RequestIdInUse(id), Final: true));
            return;
        }
        // The actor's in-flight limit: the request waits here, as a local POST waits in its handler.
        _session.WhenReadable().WaitAsync(_stopping.Token).PipeTo(Self, success: () => Readable.Instance, failure: _ => Readable.Instance);
    }

    /// <summary>Waits for the next message of the stream, unless a wait is on or no credit is left.</summary>
    private void ReadNext()
    {
        if (_waiting || _credit <= 0) return;
        _waiting = true;
        var waiting = _post is not null ? _post.Reader.WaitToReadAsync(_stopping.Token) : _getStream!.WaitToReadAsync(_stopping.Token);
        waiting.AsTask().PipeTo(Self, success: more => new Available(more), failure: _ => new Available(false));
    }

    /// <summary>Sends what is ready, as far as the credit goes; stops after a POST's response.</summary>
    private void Relay()
    {
        while (_credit > 0)
        {
            if (_post is not null)
            {
                if (!_post.Reader.TryRead(out var message)) break;
                _credit--;
                if (message.Final)
                {
                    Finish(new Outbound(message.Json, Final: true));
                    return;
                }
                _relay.Tell(new Outbound(message.Json, Final: false));
            }
            else
            {
                if (!_getStream!.TryRead(out var json)) break;
                _session.Dequeued(json);
                _credit--;
                _relay.Tell(new Outbound(json, Final: false));
            }
        }
        ReadNext();
    }

    /// <summary>
    /// Sends the exchange's last message. This actor stays until the relay stops (it does on its last message): a remote
    /// Terminated may overtake messages sent before it, so the relay must not see this actor end before its last message.
    /// </summary>
    private void Finish(object last)
    {
        _finished = true;
        _stopping.Cancel();
        _relay.Tell(last);
    }

    protected override void PostStop()
    {
        if (!_finished) _stopping.Cancel();
        _stopping.Dispose();
        if (_post is not null) _session.ClosePost(_request!.Id!.Value, _post);
        if (_getStream is not null) _session.DetachGet();
        _session.Exit();
    }
}
