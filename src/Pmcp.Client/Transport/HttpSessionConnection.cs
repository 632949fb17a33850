using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Text;
using System.Threading.Channels;
using Pmcp.Protocol;

namespace Pmcp.Client;

/// <summary>
/// One Streamable HTTP "connection" (see <see cref="StreamableHttpTransport"/>). Requests are POSTed in the
/// background; whatever comes back (the JSON answer, or every event of the SSE stream) is queued for
/// <see cref="ReceiveAsync"/>, as are the events of the 2025-era GET stream. A POST that the server refuses with a
/// status and no JSON-RPC error fails its request (<see cref="RequestFailed"/>); a server that cannot be reached, or
/// that no longer knows the session (404), ends the connection.
/// </summary>
internal sealed partial class HttpSessionConnection : IClientConnection
{
    private const int InboundQueueCapacity = 256;

    private readonly HttpClient _http;
    private readonly StreamableHttpConfig _config;
    private readonly CancellationTokenSource _abort = new();
    private readonly ConcurrentDictionary<RequestId, CancellationTokenSource> _posts = new();
    private readonly Channel<string> _inbound = Channel.CreateBounded<string>(new BoundedChannelOptions(InboundQueueCapacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });
    private readonly TaskCompletionSource<McpConnectionLostException> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile string? _sessionId;
    private volatile string? _protocolVersion;
    private volatile bool _modern;
    private int _getStreamStarted;

    public HttpSessionConnection(HttpClient http, StreamableHttpConfig config, int generation)
    {
        _http = http;
        _config = config;
        Generation = generation;
    }

    public int Generation { get; }

    public bool IsOpen => !_ended.Task.IsCompleted;

    public string? SessionId => _sessionId;

    public Action<RequestId, Exception>? RequestFailed { get; set; }

    private Uri Url => _config.Url;

    public async ValueTask<string> ReceiveAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _inbound.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw await _ended.Task.ConfigureAwait(false);
        }
    }

    public void UseProtocol(string? version, bool modern)
    {
        _protocolVersion = version;
        _modern = modern;
        if (modern) _sessionId = null; // 2026-07-28 has no sessions
    }

    public void HandshakeDone()
    {
        if (_modern || _sessionId is null || !_config.OpenGetStream) return;
        if (Interlocked.Exchange(ref _getStreamStarted, 1) == 0) _ = Task.Run(GetStreamLoopAsync);
    }

    /// <summary>
    /// A request goes out in the background and this returns at once; a notification or a response (to a server
    /// request) is POSTed here, and a refusal is thrown.
    /// </summary>
    public async Task SendAsync(OutboundMessage message, CancellationToken cancellationToken)
    {
        if (!IsOpen) throw NotOpen();
        if (message.Id is { } id)
        {
            var post = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
            _posts[id] = post;
            _ = Task.Run(() => PostRequestAsync(message, id, post), CancellationToken.None); // the post ends by its own token (post)
            return;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _abort.Token);
        using var request = NewPost(message);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && _abort.IsCancellationRequested))
        {
            var lost = Lost($"could not send to the server: {Innermost(ex).Message.TrimEnd('.')}", ex);
            End(lost);
            throw lost;
        }

        using (response)
        {
            if (response.IsSuccessStatusCode) return;
            var body = await ReadLimitedAsync(response, linked.Token).ConfigureAwait(false);
            if (SessionGone(response.StatusCode)) throw EndForLostSession();
            throw Refused(response.StatusCode, body);
        }
    }

    public bool Abandon(RequestId id)
    {
        if (!_posts.TryRemove(id, out var post)) return _modern;
        try
        {
            post.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The POST finished meanwhile.
        }
        return _modern;
    }

    public void Abort(string reason) => End(Lost(reason));

    /// <summary>Ends a 2025-era session with DELETE (bounded by CloseTimeout; any answer will do), then the connection.</summary>
    public async Task CloseAsync()
    {
        var sessionId = _sessionId;
        if (sessionId is not null && IsOpen && !_modern)
        {
            try
            {
                using var timeout = new CancellationTokenSource(_config.CloseTimeout);
                using var request = new HttpRequestMessage(HttpMethod.Delete, Url);
                AddCommonHeaders(request);
                using var response = await _http.SendAsync(request, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
            {
                // The session ends on the server by its idle timeout instead.
            }
        }
        End(Lost("the client closed the connection"));
    }

    private async Task PostRequestAsync(OutboundMessage message, RequestId id, CancellationTokenSource post)
    {
        try
        {
            using var request = NewPost(message);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, post.Token).ConfigureAwait(false);
            if (!_modern && _sessionId is null && response.Headers.TryGetValues(McpHttpHeaderNames.SessionId, out var ids))
                _sessionId = ids.FirstOrDefault();

            if (!response.IsSuccessStatusCode)
            {
                await OnRefusedAsync(response, id, post.Token).ConfigureAwait(false);
                return;
            }

            var mediaType = response.Content.Headers.ContentType?.MediaType;
            if (string.Equals(mediaType, "text/event-stream", StringComparison.OrdinalIgnoreCase))
            {
                await ReadRequestStreamAsync(response, id, post.Token).ConfigureAwait(false);
                return;
            }

            var body = await ReadLimitedAsync(response, post.Token).ConfigureAwait(false);
            if (string.IsNullOrWhiteSpace(body))
            {
                RequestFailed?.Invoke(id, new McpException(
                    $"The server answered the '{message.Method}' request with HTTP {(int)response.StatusCode} and no JSON-RPC response."));
                return;
            }
            await _inbound.Writer.WriteAsync(body, _abort.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (post.IsCancellationRequested)
        {
            // Abandoned by the client (cancelled, timed out) or the connection ended: the client has its answer already.
        }
        catch (HttpRequestException ex) when (ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError)
        {
            // Nobody answers at the URL: this request could not connect, and neither can any other on this connection.
            RequestFailed?.Invoke(id, new McpConnectException(Url, $"Could not connect to {Url}: {Innermost(ex).Message.TrimEnd('.')}.", ex));
            End(Lost($"could not connect: {Innermost(ex).Message.TrimEnd('.')}", ex));
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            End(Lost($"the '{message.Method}' request failed: {Innermost(ex).Message.TrimEnd('.')}", ex));
        }
        catch (McpException ex)
        {
            RequestFailed?.Invoke(id, ex);
        }
        finally
        {
            _posts.TryRemove(new KeyValuePair<RequestId, CancellationTokenSource>(id, post));
            post.Dispose();
        }
    }

    /// <summary>An error status: a JSON-RPC error in the body answers the request; 404 for a session ends it; else the request fails with the status.</summary>
    private async Task OnRefusedAsync(HttpResponseMessage response, RequestId id, CancellationToken cancellationToken)
    {
        var body = await ReadLimitedAsync(response, cancellationToken).ConfigureAwait(false);
        if (JsonRpcMessage.TryParse(body, out var message, out _, out _) && message!.Kind == JsonRpcMessageKind.ErrorResponse)
        {
            if (message.Id is null)
                RequestFailed?.Invoke(id, new McpProtocolException(message.Error!.Code, message.Error.Message, message.Error.Data));
            else
                await _inbound.Writer.WriteAsync(body, _abort.Token).ConfigureAwait(false);
            return;
        }
        if (SessionGone(response.StatusCode))
        {
            var lost = EndForLostSession();
            RequestFailed?.Invoke(id, lost);
            return;
        }
        RequestFailed?.Invoke(id, Refused(response.StatusCode, body));
    }

    private bool SessionGone(HttpStatusCode status) => status == HttpStatusCode.NotFound && _sessionId is not null && !_modern;

    private McpConnectionLostException EndForLostSession()
    {
        var lost = Lost($"the server no longer knows session {_sessionId} (HTTP 404)");
        End(lost);
        return lost;
    }

    private McpConnectException Refused(HttpStatusCode status, string body)
    {
        var text = body.Trim();
        if (text.Length > 200) text = text[..200] + "…";
        var why = $"the server answered with HTTP {(int)status} {status}{(text.Length == 0 ? "" : ": " + text)}";
        return new McpConnectException(Url, $"Request to {Url} refused: {why.TrimEnd('.')}.", null, status);
    }

    private HttpRequestMessage NewPost(OutboundMessage message)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Url)
        {
            Content = new StringContent(message.Json, Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        AddCommonHeaders(request);
        if (_modern && message.Method is { } method)
        {
            request.Headers.TryAddWithoutValidation(McpHttpHeaderNames.Method, method);
            if (message.Name is { } name) request.Headers.TryAddWithoutValidation(McpHttpHeaderNames.Name, McpHttpHeaders.Encode(name));
            foreach (var (header, value) in message.Headers ?? []) request.Headers.TryAddWithoutValidation(header, value);
        }
        return request;
    }

    private void AddCommonHeaders(HttpRequestMessage request)
    {
        foreach (var (name, value) in _config.Headers) request.Headers.TryAddWithoutValidation(name, value);
        if (_protocolVersion is { } version) request.Headers.TryAddWithoutValidation(McpHttpHeaderNames.ProtocolVersion, version);
        if (!_modern && _sessionId is { } session) request.Headers.TryAddWithoutValidation(McpHttpHeaderNames.SessionId, session);
    }

    private async Task<string> ReadLimitedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength > _config.MaxMessageBytes) throw TooLarge();
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > _config.MaxMessageBytes) throw TooLarge();
            buffer.Write(chunk, 0, read);
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private McpException TooLarge() => new($"The server sent a message larger than {_config.MaxMessageBytes} bytes (MaxMessageBytes).");

    private void End(McpConnectionLostException reason)
    {
        if (!_ended.TrySetResult(reason)) return;
        _abort.Cancel();
        _inbound.Writer.TryComplete();
    }

    private McpConnectionLostException Lost(string why, Exception? inner = null) =>
        new($"The connection to {Url} was lost: {why.TrimEnd('.')}.", inner);

    private McpConnectionLostException NotOpen() =>
        new($"The connection to {Url} is closed: {(_ended.Task.IsCompletedSuccessfully ? _ended.Task.Result.Message : "it ended")}");

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null) ex = ex.InnerException;
        return ex;
    }
}
