using Akka.Actor;
using Microsoft.AspNetCore.Http;
using Pmcp.Actors.Messages;
using Pmcp.Actors.Transport;
using Pmcp.Protocol;
using static Pmcp.Actors.Transport.Forwarding.ForwardedSessionProtocol;

namespace Pmcp.Actors.Transport.Forwarding;

/// <summary>
/// On each gateway of a cluster (<c>/user/pmcp-http-sessions</c>): serves requests that other gateways received for
/// this gateway's Streamable HTTP sessions. It checks the session exists and belongs to the caller (else 404, the same
/// answer as for an unknown id: another caller's session is never revealed), answers DELETE and POSTed notifications
/// and responses itself, and starts a <see cref="ForwardedExchangeActor"/> for a POSTed request or the GET stream.
/// </summary>
internal sealed class HttpSessionOwnerActor : ReceiveActor
{
    internal const string NotFound = "Session not found: it ended or expired. Send initialize without Mcp-Session-Id to start a new one.";

    public HttpSessionOwnerActor(HttpSessionLocator locator)
    {
        Receive<OpenExchange>(open =>
        {
            var session = locator.FindLocal(open.SessionId);
            if (session is null || !StreamableHttpEndpoint.SameCaller(session.Caller, open.Caller))
            {
                Sender.Tell(new ExchangeRefused(StatusCodes.Status404NotFound, NotFound));
                return;
            }
            session.Confirmed(); // the client came back with its id, through another gateway: the handshake is done
            switch (open.Method)
            {
                case ForwardedMethod.Delete:
                    session.End("session deleted by the client");
                    Sender.Tell(new ExchangeStatus(StatusCodes.Status204NoContent));
                    return;
                case ForwardedMethod.Get:
                    Context.ActorOf(ForwardedExchangeActor.Props(session, null, Sender));
                    return;
            }
            if (open.Body is null || !JsonRpcMessage.TryParse(open.Body, out var message, out _, out _))
            {
                // The serving gateway parsed it already: only a gateway of another build could send this.
                Sender.Tell(new ExchangeRefused(StatusCodes.Status400BadRequest, "The forwarded POST carried no valid JSON-RPC message."));
                return;
            }
            if (message!.Kind != JsonRpcMessageKind.Request)
            {
                session.Enter();
                session.Actor.Tell(new ConnectionProtocol.InboundMessage(message));
                session.Exit();
                Sender.Tell(new ExchangeStatus(StatusCodes.Status202Accepted));
                return;
            }
            Context.ActorOf(ForwardedExchangeActor.Props(session, message, Sender));
        });
    }

    public static Props Props(HttpSessionLocator locator) => Akka.Actor.Props.Create(() => new HttpSessionOwnerActor(locator));
}
