using System.Net;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Text;
using Pmcp.Protocol;

namespace Pmcp.Client;

/// <summary>The SSE side: a POST's response stream, resuming it with <c>Last-Event-ID</c>, and the 2025-era GET stream.</summary>
internal sealed partial class HttpSessionConnection
{
    /// <summary>How many times in a row a request's stream is resumed without a single new event before the request fails.</summary>
    private const int MaxFruitlessResumes = 3;

    /// <summary>Where an SSE stream got to: the last event id (for resuming), the server's retry interval, whether the awaited answer came.</summary>
    private sealed class SseCursor
    {
        public string? LastEventId { get; set; }

        public TimeSpan? Retry { get; set; }

        public bool Answered { get; set; }

        public int Events { get; set; }
    }

    /// <summary>
    /// Reads a request's SSE stream into the queue until its answer. When the stream ends first and its events had
    /// ids (the server offers resumption, 2025 era), it is resumed with a GET carrying <c>Last-Event-ID</c>;
    /// otherwise the request fails: the server may or may not have carried it out.
    /// </summary>
    private async Task ReadRequestStreamAsync(HttpResponseMessage response, RequestId id, CancellationToken cancellationToken)
    {
        var cursor = new SseCursor();
        await using (var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false))
        {
            await PumpAsync(stream, id, cursor, cancellationToken).ConfigureAwait(false);
        }

        var fruitless = 0;
        while (!cursor.Answered && cursor.LastEventId is not null && !_modern && _sessionId is not null && fruitless < MaxFruitlessResumes)
        {
            await Task.Delay(cursor.Retry ?? _config.ReconnectDelay, _config.TimeProvider, cancellationToken).ConfigureAwait(false);
            var before = cursor.Events;
            using var resume = NewGet(cursor.LastEventId);
            using var resumed = await _http.SendAsync(resume, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (SessionGone(resumed.StatusCode))
            {
                RequestFailed?.Invoke(id, EndForLostSession());
                return;
            }
            if (!resumed.IsSuccessStatusCode) break;
            await using (var stream = await resumed.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false))
            {
                await PumpAsync(stream, id, cursor, cancellationToken).ConfigureAwait(false);
            }
            fruitless = cursor.Events == before ? fruitless + 1 : 0;
        }

        if (!cursor.Answered)
        {
            RequestFailed?.Invoke(id, new McpConnectionLostException(
                $"The server ended the response stream of request {id} before answering it"
                + (cursor.LastEventId is null ? " (and offers no resumption)" : " and resuming it failed")
                + "; the server may or may not have carried it out."));
        }
    }

    /// <summary>
    /// The GET stream of a 2025-era session, for as long as the connection lives: reopened (with <c>Last-Event-ID</c>
    /// when its events had ids) after the server's retry interval when it ends. 405 means the server offers none;
    /// 404 means the session is gone; a server that cannot be reached ends the connection.
    /// </summary>
    private async Task GetStreamLoopAsync()
    {
        var cursor = new SseCursor();
        var backoff = new ReconnectBackoff(_config);
        var failures = 0;
        var token = _abort.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                using var request = NewGet(cursor.LastEventId);
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
                if (response.StatusCode is HttpStatusCode.MethodNotAllowed or HttpStatusCode.Conflict) return; // none offered, or one is open
                if (SessionGone(response.StatusCode))
                {
                    EndForLostSession();
                    return;
                }
                if (response.IsSuccessStatusCode)
                {
                    failures = 0;
                    await using var stream = await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
                    await PumpAsync(stream, null, cursor, token).ConfigureAwait(false);
                }
                else
                {
                    failures++;
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (HttpRequestException ex) when (ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
            {
                End(Lost($"the server no longer answers: {Innermost(ex).Message.TrimEnd('.')}", ex));
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or McpException)
            {
                failures++;
            }

            try
            {
                var delay = failures == 0 ? cursor.Retry ?? _config.ReconnectDelay : backoff.DelayBefore(failures);
                await Task.Delay(delay, _config.TimeProvider, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Queues every message event of <paramref name="stream"/>; stops after the answer to <paramref name="awaiting"/>, if given.</summary>
    private async Task PumpAsync(Stream stream, RequestId? awaiting, SseCursor cursor, CancellationToken cancellationToken)
    {
        var parser = SseParser.Create(stream, static (_, data) => Encoding.UTF8.GetString(data));
        await foreach (var item in parser.EnumerateAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!string.IsNullOrEmpty(parser.LastEventId)) cursor.LastEventId = parser.LastEventId;
            if (parser.ReconnectionInterval > TimeSpan.Zero && parser.ReconnectionInterval != Timeout.InfiniteTimeSpan) cursor.Retry = parser.ReconnectionInterval;
            // Events without data prime a resumable stream (an id, no message); other event types are not MCP's.
            if (item.EventType != SseParser.EventTypeDefault || string.IsNullOrWhiteSpace(item.Data)) continue;
            if (Encoding.UTF8.GetByteCount(item.Data) > _config.MaxMessageBytes) throw TooLarge();
            cursor.Events++;
            var answer = awaiting is { } id && IsAnswerTo(item.Data, id);
            await _inbound.Writer.WriteAsync(item.Data, _abort.Token).ConfigureAwait(false);
            if (answer)
            {
                cursor.Answered = true;
                return;
            }
        }
    }

    private static bool IsAnswerTo(string json, RequestId id) =>
        JsonRpcMessage.TryParse(json, out var message, out _, out var errorId)
            ? message!.Kind is JsonRpcMessageKind.Response or JsonRpcMessageKind.ErrorResponse && message.Id == id
            : errorId == id;

    private HttpRequestMessage NewGet(string? lastEventId)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, Url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        AddCommonHeaders(request);
        if (lastEventId is not null) request.Headers.TryAddWithoutValidation(McpHttpHeaderNames.LastEventId, lastEventId);
        return request;
    }
}
