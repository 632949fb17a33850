using Akka.Actor;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Pmcp.Actors.Messages;
using Pmcp.Actors.Session;
using Pmcp.Protocol;
using Pmcp.Actors.Transport.Forwarding;

namespace Pmcp.Actors.Transport;

/// <summary>
/// The Streamable HTTP transport (MCP 2025-11-25) on the MCP path: POST carries one JSON-RPC message and is answered
/// with JSON, or with an SSE stream when the server sends something for the request before its response; GET opens the
/// session's SSE stream for messages tied to no request; DELETE ends the session. Each session is a ConnectionActor,
/// the same as a WebSocket connection's, and gets each body parsed once, here. Statuses: README, "Outcomes".
/// </summary>
internal sealed partial class StreamableHttpEndpoint(McpEndpointContext runtime, StreamableHttpSessions sessions, ILogger logger)
{
    private readonly ModernHttpExchange _modern = new(runtime);

    public Task HandleAsync(HttpContext context) => context.Request.Method switch
    {
        "POST" => PostAsync(context),
        "GET" => GetAsync(context),
        "DELETE" => DeleteAsync(context),
        _ => MethodNotAllowedAsync(context),
    };

    private static Task MethodNotAllowedAsync(HttpContext context)
    {
        context.Response.Headers.Allow = "GET, POST, DELETE";
        return RefuseAsync(context, StatusCodes.Status405MethodNotAllowed, "The MCP endpoint takes POST, GET (SSE stream or WebSocket upgrade) and DELETE.");
    }

    private Task PostAsync(HttpContext context)
    {
        var request = context.Request;
        if (!Accepts(request, "application/json") || !Accepts(request, "text/event-stream"))
            return RefuseAsync(context, StatusCodes.Status406NotAcceptable, "POST needs 'Accept: application/json, text/event-stream'.");
        if (request.ContentType != "application/json" && !request.HasJsonContentType()) // the usual header, then a full parse
            return RefuseAsync(context, StatusCodes.Status415UnsupportedMediaType, "POST a JSON-RPC message as 'Content-Type: application/json'.");

        // A body that has arrived whole (a small POST's usually has, with its headers) is taken on at once, without an
        // async method of this one's own: a 2026-07-28 request is then one state machine, its exchange's (issue 29).
        var reading = HttpRequestBody.ReadAsync(context, runtime.Options.MaxMessageBytes);
        return reading.IsCompletedSuccessfully ? PostedAsync(context, reading.Result) : PostedLaterAsync(context, reading);
    }

    private async Task PostedLaterAsync(HttpContext context, ValueTask<PostedBody?> reading) =>
        await PostedAsync(context, await reading.ConfigureAwait(false)).ConfigureAwait(false);

    /// <summary>The POST's body read (null: refused, or the client went away): its message goes to a session, or is a 2026-07-28 request of its own.</summary>
    private Task PostedAsync(HttpContext context, PostedBody? posted)
    {
        if (posted is not { } body) return Task.CompletedTask; // refused with a 4xx (too large, malformed, too slow, not UTF-8), or the client went away

        var sessionId = context.Request.Headers[McpHttpHeaderNames.SessionId].ToString();
        // Looked up once: a session this gateway does not hold may be another's, which is sent the body as text.
        var local = sessionId.Length > 0 ? sessions.Find(sessionId) : null;
        if (ReadMessage(body, keepText: sessionId.Length > 0 && local is null, out var forwardedText, out var refusal) is not { } message)
            return JsonAsync(context, StatusCodes.Status400BadRequest, refusal!);

        if (sessionId.Length == 0 && runtime.Options.ServeStatelessEra && ModernHttpExchange.Serves(context.Request, message))
            return _modern.HandleAsync(context, message);
        return SessionPostAsync(context, message, sessionId, local, forwardedText);
    }

    /// <summary>A 2025-era message: to the session it names, or <c>initialize</c> starting one.</summary>
    private async Task SessionPostAsync(HttpContext context, JsonRpcMessage message, string sessionId, StreamableHttpSession? local, string? forwardedText)
    {
        if (!CheckProtocolVersion(context, out var versionRefusal))
        {
            await RefuseAsync(context, StatusCodes.Status400BadRequest, versionRefusal).ConfigureAwait(false);
            return;
        }

        var initialize = message is { Kind: JsonRpcMessageKind.Request, Method: McpMethods.Initialize };
        StreamableHttpSession? session;
        if (sessionId.Length == 0)
        {
            if (!initialize)
            {
                await RefuseAsync(context, StatusCodes.Status400BadRequest, $"Missing {McpHttpHeaderNames.SessionId}: send initialize without one to start a session.").ConfigureAwait(false);
                return;
            }
            session = await OpenSessionAsync(context).ConfigureAwait(false);
            if (session is null) return;
        }
        else
        {
            session = await FindSessionAsync(context, local, sessionId, ForwardedSessionProtocol.ForwardedMethod.Post, forwardedText).ConfigureAwait(false);
            if (session is null) return;
            initialize = false; // a second initialize is the actor's to refuse (-32600), in the session it names
        }

        session.Enter();
        try
        {
            if (message.Kind != JsonRpcMessageKind.Request)
            {
                // Notifications and responses (to the server's own requests) are only accepted: 202, no body.
                session.Actor.Tell(new ConnectionProtocol.InboundMessage(message));
                context.Response.StatusCode = StatusCodes.Status202Accepted;
                return;
            }

            var id = message.Id!.Value;
            var post = session.OpenPost(id);
            if (post is null && session.HasEnded)
            {
                await RefuseAsync(context, StatusCodes.Status404NotFound, "The session ended.").ConfigureAwait(false);
                return;
            }
            if (post is null)
            {
                await JsonAsync(context, StatusCodes.Status200OK, McpSession.RequestIdInUse(id)).ConfigureAwait(false);
                return;
            }

            // Aborts this POST if the session is cut for the bytes it holds while the answer is being written.
            var abort = new PostAbort(context);
            session.StartWriting(abort); // false once the session ended: the post is abandoned then, and 404 follows below
            try
            {
                // The actor's in-flight limit: a request waits here, unread, as a WebSocket message waits in the socket.
                await session.WhenReadable().WaitAsync(context.RequestAborted).ConfigureAwait(false);
                session.Actor.Tell(new ConnectionProtocol.InboundMessage(message));

                // The answer is awaited here rather than in a method of its own: each async method that waits is one
                // more object per request (issue 29).
                var reader = post.Reader;
                if (!await reader.WaitToReadAsync(context.RequestAborted).ConfigureAwait(false) || !reader.TryRead(out var first))
                {
                    if (session.HasEnded)
                        await RefuseAsync(context, StatusCodes.Status404NotFound, "The session ended before the request was answered.").ConfigureAwait(false);
                    else
                        context.Response.ContentType = "text/event-stream"; // the client cancelled the request (notifications/cancelled): no response follows, the stream is empty
                    return;
                }
                if (initialize)
                {
                    // The session says whether initialize succeeded before it sends the answer: no need to read the answer.
                    if (!session.IsInitialized) session.End("initialize failed"); // no session to continue: its id is not given out
                    else context.Response.Headers[McpHttpHeaderNames.SessionId] = session.Id;
                }

                // Each message counts against the session's budgets until written (see IOutboundWrites). Something that
                // comes before the response (progress, a log message, a request to the client) makes it a stream.
                if (first.Final)
                    await CountedWrites.JsonAsync(context, StatusCodes.Status200OK, first.Json, session).ConfigureAwait(false);
                else
                    await StreamAsync(context, CountedWrites.Events(session, Prepend(first, reader, context.RequestAborted))).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException && context.RequestAborted.IsCancellationRequested)
            {
                // The client went away: not a cancellation (the spec says so), the request runs on, its response is
                // dropped. Or the session was cut for the bytes it held, which ended it and its calls.
            }
            finally
            {
                session.StopWriting(abort);
                session.ClosePost(id, post);
            }
        }
        finally
        {
            session.Exit();
        }
    }

    private async Task GetAsync(HttpContext context)
    {
        if (!Accepts(context.Request, "text/event-stream"))
        {
            await RefuseAsync(context, StatusCodes.Status406NotAcceptable,
                "GET needs 'Accept: text/event-stream' (the session's SSE stream), or a WebSocket upgrade.").ConfigureAwait(false);
            return;
        }
        if (!CheckProtocolVersion(context, out var versionRefusal))
        {
            await RefuseAsync(context, StatusCodes.Status400BadRequest, versionRefusal).ConfigureAwait(false);
            return;
        }
        var sessionId = context.Request.Headers[McpHttpHeaderNames.SessionId].ToString();
        if (sessionId.Length == 0)
        {
            await RefuseAsync(context, StatusCodes.Status400BadRequest, $"Missing {McpHttpHeaderNames.SessionId}: the SSE stream belongs to a session.").ConfigureAwait(false);
            return;
        }
        var session = await FindSessionAsync(context, sessionId, ForwardedSessionProtocol.ForwardedMethod.Get).ConfigureAwait(false);
        if (session is null) return;

        var reader = session.AttachGet();
        if (reader is null)
        {
            await RefuseAsync(context, StatusCodes.Status409Conflict, "This session's SSE stream is already open.").ConfigureAwait(false);
            return;
        }

        session.Enter();
        var abort = new PostAbort(context);
        try
        {
            if (session.StartWriting(abort)) await StreamAsync(context, Standalone(reader, session, context.RequestAborted)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException && context.RequestAborted.IsCancellationRequested)
        {
            // The client closed the stream (messages still queued wait for the next GET), or the session was cut for the bytes it held.
        }
        finally
        {
            session.StopWriting(abort);
            session.DetachGet();
            session.Exit();
        }
    }

    private async Task DeleteAsync(HttpContext context)
    {
        var sessionId = context.Request.Headers[McpHttpHeaderNames.SessionId].ToString();
        if (sessionId.Length == 0)
        {
            await RefuseAsync(context, StatusCodes.Status400BadRequest, $"Missing {McpHttpHeaderNames.SessionId}: name the session to end.").ConfigureAwait(false);
            return;
        }
        if (!CheckProtocolVersion(context, out var versionRefusal))
        {
            await RefuseAsync(context, StatusCodes.Status400BadRequest, versionRefusal).ConfigureAwait(false);
            return;
        }
        var session = await FindSessionAsync(context, sessionId, ForwardedSessionProtocol.ForwardedMethod.Delete).ConfigureAwait(false);
        if (session is null) return;
        session.End("session deleted by the client");
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>Starts a session for an initialize POST: a place at the gate (503 when full or shutting down, 429 over the client's limits) and a ConnectionActor.</summary>
    private async Task<StreamableHttpSession?> OpenSessionAsync(HttpContext context)
    {
        var caller = SessionOpening.Caller(context);
        if (await SessionOpening.TryEnterAsync(runtime, context, caller).ConfigureAwait(false) is not { } place) return null;

        var session = new StreamableHttpSession(runtime.HttpSessions.NewSessionId(), caller, runtime.Options, sessions.Ended, runtime.Metrics, runtime.OutboundBudget) { Place = place };
        try
        {
            session.Actor = await SessionOpening.OpenAsync(runtime, context, session, caller).ConfigureAwait(false);
        }
        catch
        {
            place.Release();
            throw;
        }

        sessions.Add(session);
        LogSessionOpened(logger, session.Id);
        return session;
    }

    /// <summary>
    /// The session named by the request, or null after answering: 404 when it is unknown, ended, or another caller's; or,
    /// for a session that another gateway of the cluster holds, whatever that gateway answers (the request is served there).
    /// </summary>
    private ValueTask<StreamableHttpSession?> FindSessionAsync(HttpContext context, string sessionId, ForwardedSessionProtocol.ForwardedMethod method) =>
        FindSessionAsync(context, sessions.Find(sessionId), sessionId, method, body: null);

    /// <summary>As above, with the session this gateway holds under the id already looked up (<paramref name="session"/>, or null).</summary>
    // A ValueTask: the usual lookup finds the session at once, with no task object (issue 29).
    private async ValueTask<StreamableHttpSession?> FindSessionAsync(HttpContext context, StreamableHttpSession? session, string sessionId,
        ForwardedSessionProtocol.ForwardedMethod method, string? body)
    {
        var caller = SessionOpening.Caller(context);
        if (session is not null && SameCaller(session.Caller, caller))
        {
            session.Confirmed(); // the client came back with its id: the handshake is done
            return session;
        }
        if (session is null && runtime.HttpSessions.TryFindOwner(sessionId, out var owner, out var system))
        {
            await ForwardedHttpExchange.ServeAsync(context, system, owner, method, sessionId, body, caller).ConfigureAwait(false);
            return null;
        }
        await RefuseAsync(context, StatusCodes.Status404NotFound, "Session not found: it ended or expired. Send initialize without Mcp-Session-Id to start a new one.").ConfigureAwait(false);
        return null;
    }

    internal static Task JsonAsync(HttpContext context, int status, string json) => JsonAnswer.WriteAsync(context, status, json);

    private static Task RefuseAsync(HttpContext context, int status, string text) => Refusal.WriteAsync(context, status, text);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Streamable HTTP session {SessionId} opened")]
    private static partial void LogSessionOpened(ILogger logger, string sessionId);
}
