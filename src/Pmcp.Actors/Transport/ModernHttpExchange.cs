using Akka.Actor;
using Microsoft.AspNetCore.Http;
using Pmcp.Actors.Messages;
using Pmcp.Actors.Security;
using Pmcp.Actors.Session.Era2026;
using Pmcp.Protocol;

namespace Pmcp.Actors.Transport;

/// <summary>
/// One 2026-07-28 request over Streamable HTTP: a POST without <c>Mcp-Session-Id</c>, answered on its own. Its routing
/// headers must agree with its body (-32020, 400), its <c>_meta</c> must describe the client (-32602 or -32022, 400);
/// then it runs in a session of its own that lives as long as the POST and ends with it, so nothing of it depends on this
/// gateway afterwards. The session runs on a long-lived host actor from a pool (<see cref="Runtime.ModernRequestActor"/>),
/// not on an actor spawned for the request. The response is JSON, or an SSE stream when
/// something (progress, a log message) comes before it. Statuses: README, "Outcomes".
/// Its answers count in the server's outbound byte sum (<see cref="ServerOutboundBudget"/>) from when they are queued
/// until they are written, so requests whose clients do not read cannot together hold more than the server allows; a
/// request past its own budget or picked by the server's is cut: its session ends and its POST is aborted.
/// </summary>
internal sealed class ModernHttpExchange(McpEndpointContext runtime)
{
    /// <summary>
    /// True when a POST without a session belongs to the modern era: a request that describes itself (2026 <c>_meta</c>,
    /// or <c>server/discover</c>), or any message whose <c>MCP-Protocol-Version</c> is none of the 2025 era's.
    /// </summary>
    public static bool Serves(HttpRequest request, JsonRpcMessage message)
    {
        if (ModernProtocol.IsModern(message)) return true;
        var version = request.Headers[McpHttpHeaderNames.ProtocolVersion].ToString();
        return version.Length > 0 && message.Method != McpMethods.Initialize && !McpProtocolVersions.IsSupported(version);
    }

    /// <remarks>
    /// Taking a place at the gate and a host from the pool are both answered at once as a rule, so this method is not
    /// async itself: only the wait for the answer is (<see cref="AnswerAsync"/>), and its state machine holds only what
    /// that wait needs. As one async method the whole exchange made a state machine of 412 B per request, with a field
    /// for every check's result and every await (issue 29). The other cases take the async detours below.
    /// </remarks>
    public Task HandleAsync(HttpContext context, JsonRpcMessage message)
    {
        if (message.Kind != JsonRpcMessageKind.Request)
        {
            // A notification (or a response) without a session reaches no request of this server: accepted, no body.
            context.Response.StatusCode = StatusCodes.Status202Accepted;
            return Task.CompletedTask;
        }

        var id = message.Id!.Value;
        if ((HeaderMismatch(context.Request, message) ?? ParamMismatch(context.Request, message)) is { } mismatch)
            return ErrorAsync(context, id, new JsonRpcError(ModernProtocol.HeaderMismatch, mismatch));
        if (!RequestMeta.TryRead(message, out var meta, out var refusal)) return ErrorAsync(context, id, refusal!);

        // A place for as long as the request runs (never idle, so never evicted); not a session start of its client.
        // The gate counts 2026 requests in flight with the sessions and sockets: MaxConnections bounds them all.
        var caller = SessionOpening.Caller(context);
        var entering = SessionOpening.TryEnterAsync(runtime, context, caller, startsSession: false);
        if (!entering.IsCompletedSuccessfully) return EnterThenServeAsync(context, message, caller, meta, entering);
        return entering.Result is { } place ? Serve(context, message, caller, meta, place) : Task.CompletedTask;
    }

    /// <summary>The gate answered later (a refusal being written): the request is served if it got a place.</summary>
    private async Task EnterThenServeAsync(HttpContext context, JsonRpcMessage message, CallerIdentity? caller, RequestMeta meta, ValueTask<GatePlace?> entering)
    {
        if (await entering.ConfigureAwait(false) is { } place) await Serve(context, message, caller, meta, place).ConfigureAwait(false);
    }

    /// <summary>Runs the request on a host from the pool (or a new one) and answers its POST.</summary>
    private Task Serve(HttpContext context, JsonRpcMessage message, CallerIdentity? caller, RequestMeta meta, GatePlace place)
    {
        var outlet = new ModernRequestOutlet(message.Id!.Value, place, runtime.Options, runtime.OutboundBudget);
        var abort = new PostAbort(context);
        outlet.Abort = abort;
        // A long-lived host (issue 29): the request runs in a session of its own on it, instead of an actor spawned for it.
        var host = SessionOpening.RequestHostAsync(runtime, context);
        if (!host.IsCompletedSuccessfully) return HostThenAnswerAsync(context, outlet, abort, host, message, caller, meta, place);
        outlet.Actor = host.Result;
        return AnswerAsync(context, outlet, abort, new Runtime.ModernRequestActor.Serve(outlet, message, caller, meta));
    }

    /// <summary>No host was waiting in the pool: the server actor makes one; if that fails the place is given back.</summary>
    private static async Task HostThenAnswerAsync(HttpContext context, ModernRequestOutlet outlet, PostAbort abort, ValueTask<IActorRef> host,
        JsonRpcMessage message, CallerIdentity? caller, RequestMeta meta, GatePlace place)
    {
        try
        {
            outlet.Actor = await host.ConfigureAwait(false);
        }
        catch
        {
            place.Release();
            throw;
        }
        await AnswerAsync(context, outlet, abort, new Runtime.ModernRequestActor.Serve(outlet, message, caller, meta)).ConfigureAwait(false);
    }

    /// <summary>Hands the request to its host and writes what comes back: one JSON answer, or an SSE stream when something comes before it.</summary>
    private static async Task AnswerAsync(HttpContext context, ModernRequestOutlet outlet, PostAbort abort, Runtime.ModernRequestActor.Serve serve)
    {
        try
        {
            outlet.Actor.Tell(serve);
            var reader = outlet.Post.Reader;
            if (!await reader.WaitToReadAsync(context.RequestAborted).ConfigureAwait(false) || !reader.TryRead(out var first))
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable; // the session ended (the server is stopping) before an answer
                return;
            }
            if (first.Final)
                await CountedWrites.JsonAsync(context, StatusOf(first.Json), first.Json, outlet).ConfigureAwait(false);
            else
                await StreamableHttpEndpoint.StreamAsync(context, CountedWrites.Events(outlet, StreamableHttpEndpoint.Prepend(first, reader, context.RequestAborted))).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException && context.RequestAborted.IsCancellationRequested)
        {
            // The client went away, or the request was cut for the bytes it held: in 2026 either ends the request, whose
            // session ends below.
        }
        finally
        {
            abort.Done();
            outlet.End("the request's POST ended");
        }
    }

    /// <summary>The HTTP status of a final JSON-RPC error in this era: 404 for an unknown method, 400 for the era's own refusals, else 200.</summary>
    public static int StatusOf(string responseJson)
    {
        if (!responseJson.Contains("\"error\"", StringComparison.Ordinal) || !JsonRpcMessage.TryParse(responseJson, out var parsed, out _, out _)) return StatusCodes.Status200OK;
        return parsed!.Error?.Code switch
        {
            JsonRpcErrorCodes.MethodNotFound => StatusCodes.Status404NotFound,
            ModernProtocol.HeaderMismatch or ModernProtocol.MissingRequiredClientCapability or ModernProtocol.UnsupportedProtocolVersion => StatusCodes.Status400BadRequest,
            _ => StatusCodes.Status200OK,
        };
    }

    /// <summary>Why the routing headers disagree with the body, or null when they agree (checked once the body names its version).</summary>
    private static string? HeaderMismatch(HttpRequest request, JsonRpcMessage message)
    {
        if (ModernProtocol.RequestedVersion(message) is not { } version) return null; // the _meta refusal says what is wrong
        var headers = request.Headers;
        var headerVersion = headers[McpHttpHeaderNames.ProtocolVersion].ToString();
        if (headerVersion != version)
            return $"Header mismatch: {McpHttpHeaderNames.ProtocolVersion} is '{headerVersion}' but params._meta names '{version}'.";
        var method = headers[McpHttpHeaderNames.Method].ToString();
        if (method != message.Method)
            return $"Header mismatch: {McpHttpHeaderNames.Method} is '{method}' but the body's method is '{message.Method}'.";
        if (RoutedName(message) is not { } name) return null;
        var routedHeader = headers[McpHttpHeaderNames.Name].ToString();
        if (ParamHeaders.Decode(routedHeader, out var routed) is { } malformed) return $"Header mismatch: {McpHttpHeaderNames.Name} {malformed}.";
        return routed != name ? $"Header mismatch: {McpHttpHeaderNames.Name} is '{routedHeader}' but the body names '{name}'." : null;
    }

    /// <summary>Why a tool call's <c>Mcp-Param-*</c> headers disagree with its arguments (<see cref="ParamHeaders"/>), or null.</summary>
    private string? ParamMismatch(HttpRequest request, JsonRpcMessage message) =>
        message.Method == McpMethods.ToolsCall && message.Param("name") is { Type: Newtonsoft.Json.Linq.JTokenType.String } tool
        && runtime.ToolParamHeaders.For((string)tool!) is { } marks
            ? ParamHeaders.Mismatch(request.Headers, marks, message.Param("arguments") as Newtonsoft.Json.Linq.JObject)
            : null;

    /// <summary>What <c>Mcp-Name</c> must carry for the request: the tool or prompt name, the resource URI, or (tasks extension) the task id.</summary>
    private static string? RoutedName(JsonRpcMessage message) => message.Method switch
    {
        McpMethods.ToolsCall or McpMethods.PromptsGet => message.Param("name") is { Type: Newtonsoft.Json.Linq.JTokenType.String } name ? (string?)name : null,
        McpMethods.ResourcesRead => message.Param("uri") is { Type: Newtonsoft.Json.Linq.JTokenType.String } uri ? (string?)uri : null,
        McpMethods.TasksGet or McpMethods.TasksUpdate or McpMethods.TasksCancel =>
            message.Param("taskId") is { Type: Newtonsoft.Json.Linq.JTokenType.String } taskId ? (string?)taskId : null,
        _ => null,
    };

    private static Task ErrorAsync(HttpContext context, RequestId id, JsonRpcError error)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonRpcWriter.Error(id, error), context.RequestAborted);
    }
}
