using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Akka.Actor;
using Microsoft.AspNetCore.Http;
using Pmcp.Actors.Cluster;
using Pmcp.Actors.Security;
using Pmcp.Actors.Transport.Forwarding;
using static Pmcp.Actors.Transport.Forwarding.ForwardedSessionProtocol;

namespace Pmcp.Actors.Transport;

/// <summary>
/// The HTTP side of a request for a session held by another gateway: a <see cref="ForwardedRequestActor"/> carries it
/// to the owner, and its answers become the same response a local session gives (README, "Outcomes"): a status, a
/// JSON response, or an SSE stream. Two answers exist only here: 503 when the owner's node does not answer in time,
/// and 404 when that node goes before the request was answered (its sessions are gone with it).
/// </summary>
internal static class ForwardedHttpExchange
{
    public static async Task ServeAsync(HttpContext context, ActorSystem system, ActorPath owner, ForwardedMethod method, string sessionId, string? body, CallerIdentity? caller)
    {
        var events = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var relay = system.ActorOf(ForwardedRequestActor.Props(owner, new OpenExchange(sessionId, method, body, caller), events.Writer));
        try
        {
            await RespondAsync(context, events.Reader, relay).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away: as locally, a POSTed request runs on and its response is dropped.
        }
        finally
        {
            system.Stop(relay); // the owner sees its relay go and gives the stream back
        }
    }

    private static async Task RespondAsync(HttpContext context, ChannelReader<object> events, IActorRef relay)
    {
        // No answer at all: the relay was stopped with the ActorSystem, before the owner said anything.
        var first = await events.WaitToReadAsync(context.RequestAborted).ConfigureAwait(false) && events.TryRead(out var answer)
            ? answer
            : ForwardedRequestActor.OwnerUnavailable.Instance;
        switch (first)
        {
            case ExchangeRefused refused:
                await Refusal.WriteAsync(context, refused.Status, refused.Text).ConfigureAwait(false);
                break;
            case ExchangeStatus status:
                context.Response.StatusCode = status.Status;
                break;
            case ExchangeEnded { SessionEnded: true }:
                await Refusal.WriteAsync(context, StatusCodes.Status404NotFound, "The session ended before the request was answered.").ConfigureAwait(false);
                break;
            case ExchangeEnded:
                context.Response.ContentType = "text/event-stream"; // the client cancelled the request: an empty stream
                break;
            case Outbound { Final: true } response:
                await StreamableHttpEndpoint.JsonAsync(context, StatusCodes.Status200OK, response.Json).ConfigureAwait(false);
                break;
            case Outbound message:
                await StreamableHttpEndpoint.StreamAsync(context, Stream(message, events, relay, context.RequestAborted)).ConfigureAwait(false);
                break;
            case StreamOpened:
                await StreamableHttpEndpoint.StreamAsync(context, Stream(null, events, relay, context.RequestAborted)).ConfigureAwait(false);
                break;
            case ForwardedRequestActor.OwnerUnavailable:
                await Refusal.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "The gateway that holds this session did not answer in time; try again.").ConfigureAwait(false);
                break;
            default: // ForwardedRequestActor.OwnerLost
                await Refusal.WriteAsync(context, StatusCodes.Status404NotFound, HttpSessionOwnerActor.NotFound).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>The messages of a POST's or the GET's stream until the response, the end of the stream, or the owner's loss.</summary>
    private static async IAsyncEnumerable<SseItem<string>> Stream(Outbound? first, ChannelReader<object> events, IActorRef relay,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (first is not null)
        {
            yield return new SseItem<string>(first.Json, "message");
            relay.Tell(ForwardedRequestActor.Written.Instance);
        }
        await foreach (var next in events.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            if (next is not Outbound message) yield break; // ended (for any reason): the stream ends with it
            yield return new SseItem<string>(message.Json, "message");
            relay.Tell(ForwardedRequestActor.Written.Instance);
        }
    }
}
