using System.Threading.Channels;
using Akka.Actor;
using static Pmcp.Actors.Transport.Forwarding.ForwardedSessionProtocol;

namespace Pmcp.Actors.Transport.Forwarding;

/// <summary>
/// On the gateway that received a request for another gateway's session: the relay between that request's HTTP
/// response (<see cref="Transport.ForwardedHttpExchange"/>, which reads <c>events</c>) and the owner. It sends the
/// request, passes on every answer in order, watches the owner's exchange actor (its node may go), grants credit as the
/// response is written, and stops when the exchange ends or the response is abandoned, which the owner sees.
/// </summary>
internal sealed class ForwardedRequestActor : ReceiveActor, IWithTimers
{
    /// <summary>How long the owner may take to answer at all before the client gets 503.</summary>
    public static readonly TimeSpan OpenTimeout = TimeSpan.FromSeconds(10);

    private const string OpenTimer = "open";

    private readonly ActorPath _owner;
    private readonly OpenExchange _open;
    private readonly ChannelWriter<object> _events;
    private IActorRef? _exchange;
    private int _written;

    /// <summary>The owner gave no answer within <see cref="OpenTimeout"/>.</summary>
    public sealed record OwnerUnavailable
    {
        public static readonly OwnerUnavailable Instance = new();
    }

    /// <summary>The owner's exchange stopped, or its node left, before the exchange ended.</summary>
    public sealed record OwnerLost
    {
        public static readonly OwnerLost Instance = new();
    }

    /// <summary>From the response writer: one more message went to the client.</summary>
    public sealed record Written
    {
        public static readonly Written Instance = new();
    }

    private sealed record OpenTimedOut
    {
        public static readonly OpenTimedOut Instance = new();
    }

    public ForwardedRequestActor(ActorPath owner, OpenExchange open, ChannelWriter<object> events)
    {
        _owner = owner;
        _open = open;
        _events = events;

        Receive<ExchangeRefused>(Last);
        Receive<ExchangeStatus>(Last);
        Receive<ExchangeEnded>(Last);
        Receive<StreamOpened>(opened => Pass(opened));
        Receive<Outbound>(outbound =>
        {
            if (outbound.Final) Last(outbound);
            else Pass(outbound);
        });
        Receive<Written>(_ =>
        {
            // Credit goes back in batches of half the window: one message back for every few sent.
            if (++_written < Window / 2 || _exchange is null) return;
            _exchange.Tell(new Credit(_written));
            _written = 0;
        });
        Receive<OpenTimedOut>(_ => Last(OwnerUnavailable.Instance));
        Receive<Terminated>(_ => Last(OwnerLost.Instance));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(ActorPath owner, OpenExchange open, ChannelWriter<object> events) =>
        Akka.Actor.Props.Create(() => new ForwardedRequestActor(owner, open, events));

    protected override void PreStart()
    {
        Context.ActorSelection(_owner).Tell(_open, Self);
        Timers.StartSingleTimer(OpenTimer, OpenTimedOut.Instance, OpenTimeout);
    }

    /// <summary>A message of a stream: the first one tells which actor on the owner to watch.</summary>
    private void Pass(object message)
    {
        if (_exchange is null)
        {
            Timers.Cancel(OpenTimer);
            _exchange = Sender;
            Context.Watch(_exchange);
        }
        _events.TryWrite(message);
    }

    private void Last(object message)
    {
        _events.TryWrite(message);
        _events.TryComplete();
        Context.Stop(Self);
    }

    protected override void PostStop() => _events.TryComplete();
}
