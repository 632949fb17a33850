using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Text;
using System.Threading.Channels;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Pmcp.Actors.Tests.Support;

/// <summary>
/// A small MCP client over Streamable HTTP for loopback tests, on <see cref="HttpClient"/>. Each request is one POST
/// whose answer is read as JSON or as an SSE stream (parsed with <see cref="SseParser"/>); notifications from any
/// stream go to <see cref="ReadNotificationAsync"/>, requests from the server to <see cref="ServerRequestHandler"/>
/// (answered with a POST) or else to <see cref="ReadServerRequestAsync"/>.
/// </summary>
internal sealed class McpHttpTestClient : IAsyncDisposable
{
    public const string SessionHeader = "Mcp-Session-Id";
    public const string VersionHeader = "MCP-Protocol-Version";

    private static readonly JsonSerializerSettings ParseSettings = new() { DateParseHandling = DateParseHandling.None };

    private readonly HttpClient _http;
    private readonly Channel<WireMessage> _notifications = Channel.CreateUnbounded<WireMessage>();
    private readonly Channel<WireMessage> _serverRequests = Channel.CreateUnbounded<WireMessage>();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly CancellationTokenSource _disposed = new();
    private long _nextId;
    private long _sequence;

    /// <param name="from">The loopback address to connect from (<see cref="LoopbackSource"/>); null: the system's choice.</param>
    public McpHttpTestClient(Uri uri, System.Net.IPAddress? from = null)
    {
        Uri = uri;
        _http = from is null ? new HttpClient() : new HttpClient(LoopbackSource.Handler(from));
        _http.Timeout = Timeout.InfiniteTimeSpan;
    }

    public Uri Uri { get; }

    /// <summary>Headers sent with every request (a credential, for instance).</summary>
    public HttpRequestHeaders DefaultHeaders => _http.DefaultRequestHeaders;

    /// <summary>The session the server gave out in answer to initialize; null before.</summary>
    public string? SessionId { get; set; }

    /// <summary>Sent as <c>MCP-Protocol-Version</c> once a session exists.</summary>
    public string ProtocolVersion { get; set; } = McpTestClient.LatestProtocolVersion;

    /// <summary>Answers a request from the server (sampling, elicitation, ...): the result object, posted back at once.</summary>
    public Func<WireMessage, JObject>? ServerRequestHandler { get; set; }

    public static async Task<McpHttpTestClient> ConnectAsync(Uri uri, bool initialize = true, JObject? capabilities = null)
    {
        var client = new McpHttpTestClient(uri);
        if (initialize) await client.InitializeAsync(capabilities).ConfigureAwait(false);
        return client;
    }

    /// <summary>initialize (checked for success; keeps the session id), then notifications/initialized.</summary>
    public async Task<WireMessage> InitializeAsync(JObject? capabilities = null, string protocolVersion = McpTestClient.LatestProtocolVersion)
    {
        using var response = await PostAsync(Request("initialize", new JObject
        {
            ["protocolVersion"] = protocolVersion,
            ["capabilities"] = capabilities ?? new JObject(),
            ["clientInfo"] = new JObject { ["name"] = "pmcp-http-tests", ["version"] = "1.0.0" },
        }, new JValue(0)), withSession: false).ConfigureAwait(false);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        SessionId = response.Headers.GetValues(SessionHeader).Single();
        var answer = await ReadAnswerAsync(response, _disposed.Token).ConfigureAwait(false);
        Assert.NotNull(answer);
        answer.EnsureSuccess();
        ProtocolVersion = (string)answer.Result!["protocolVersion"]!;
        await NotifyAsync("notifications/initialized").ConfigureAwait(false);
        return answer;
    }

    /// <summary>A JSON-RPC request object with the next id (or <paramref name="id"/>).</summary>
    public JObject Request(string method, JObject? @params = null, JToken? id = null)
    {
        var message = new JObject { ["jsonrpc"] = "2.0", ["id"] = id ?? new JValue(Interlocked.Increment(ref _nextId)), ["method"] = method };
        if (@params is not null) message["params"] = @params;
        return message;
    }

    /// <summary>A POST of <paramref name="body"/> with the usual headers, its answer not yet read.</summary>
    public HttpRequestMessage NewPost(string body, bool withSession = true)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Uri) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (withSession) AddSessionHeaders(request);
        return request;
    }

    public void AddSessionHeaders(HttpRequestMessage request)
    {
        if (SessionId is not null)
        {
            request.Headers.Add(SessionHeader, SessionId);
            request.Headers.Add(VersionHeader, ProtocolVersion);
        }
    }

    /// <summary>How long a request may wait for its response's headers (a cluster's tests allow for hops between nodes).</summary>
    public TimeSpan HeadersDeadline { get; set; } = Deadline.Default;

    /// <summary>Sends <paramref name="request"/> and returns once the headers are in (the body may still stream).</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(_disposed.Token);
        cts.CancelAfter(HeadersDeadline);
        return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token).ConfigureAwait(false);
    }

    public Task<HttpResponseMessage> PostAsync(JObject message, bool withSession = true) =>
        SendAsync(NewPost(message.ToString(Formatting.None), withSession));

    /// <summary>POSTs a request and returns once its answer has begun (200, JSON or SSE); the answer comes with <see cref="HttpCall.Response"/>.</summary>
    public async Task<HttpCall> StartRequestAsync(string method, JObject? @params = null)
    {
        var message = Request(method, @params);
        var response = await PostAsync(message).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            response.Dispose();
            throw new InvalidOperationException($"POST {method} was answered {(int)response.StatusCode}: {text}");
        }
        return new HttpCall(message["id"]!, response.Content.Headers.ContentType?.MediaType, ReadAnswerDisposingAsync(response));
    }

    public async Task<WireMessage> RequestAsync(string method, JObject? @params = null, TimeSpan? timeout = null)
    {
        var call = await StartRequestAsync(method, @params).ConfigureAwait(false);
        var answer = await call.Response.Within(timeout ?? Deadline.Default, $"the answer to {method}").ConfigureAwait(false);
        return answer ?? throw new InvalidOperationException($"The stream of {method} ended without a response.");
    }

    public Task<WireMessage> CallToolAsync(string name, object? arguments = null, JToken? progressToken = null)
    {
        var @params = new JObject { ["name"] = name };
        if (arguments is not null) @params["arguments"] = JObject.FromObject(arguments);
        if (progressToken is not null) @params["_meta"] = new JObject { ["progressToken"] = progressToken };
        return RequestAsync("tools/call", @params);
    }

    /// <summary>POSTs a notification; the server must accept it with 202.</summary>
    public async Task NotifyAsync(string method, JObject? @params = null)
    {
        var message = new JObject { ["jsonrpc"] = "2.0", ["method"] = method };
        if (@params is not null) message["params"] = @params;
        using var response = await PostAsync(message).ConfigureAwait(false);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    /// <summary>POSTs the answer to a request from the server; the server must accept it with 202.</summary>
    public async Task RespondAsync(JToken id, JObject result)
    {
        using var response = await PostAsync(new JObject { ["jsonrpc"] = "2.0", ["id"] = id, ["result"] = result }).ConfigureAwait(false);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    /// <summary>Opens the session's GET stream; its messages go where a POST stream's do. Dispose the response to close it.</summary>
    public async Task<HttpResponseMessage> OpenGetStreamAsync()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, Uri);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        AddSessionHeaders(request);
        var response = await SendAsync(request).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.OK) _ = ReadAnswerAsync(response, _disposed.Token);
        return response;
    }

    public async Task<HttpStatusCode> DeleteSessionAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, Uri);
        AddSessionHeaders(request);
        using var response = await SendAsync(request).ConfigureAwait(false);
        return response.StatusCode;
    }

    public Task<WireMessage> ReadNotificationAsync(TimeSpan? timeout = null) =>
        _notifications.Reader.ReadAsync().AsTask().Within(timeout ?? Deadline.Default, "a notification from the server");

    public Task<WireMessage> ReadServerRequestAsync(TimeSpan? timeout = null) =>
        _serverRequests.Reader.ReadAsync().AsTask().Within(timeout ?? Deadline.Default, "a request from the server");

    private async Task<WireMessage?> ReadAnswerDisposingAsync(HttpResponseMessage response)
    {
        using (response) return await ReadAnswerAsync(response, _disposed.Token).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads a POST's (or GET's) body: a JSON response, or SSE events until the response. Other messages on the way are
    /// dispatched. Null when the stream ended without a response.
    /// </summary>
    private async Task<WireMessage?> ReadAnswerAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (mediaType == "application/json")
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return Wire(text);
        }

        Assert.Equal("text/event-stream", mediaType);
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await foreach (var item in SseParser.Create(stream).EnumerateAsync(cancellationToken).ConfigureAwait(false))
            {
                if (string.IsNullOrEmpty(item.Data)) continue;
                var message = Wire(item.Data);
                if (message.Method is null) return message; // the response: the server ends the stream after it
                if (message.Id is not null) await OnServerRequestAsync(message).ConfigureAwait(false);
                else await _notifications.Writer.WriteAsync(message, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or HttpRequestException or IOException && cancellationToken.IsCancellationRequested)
        {
            // Disposed while the stream was open.
        }
        return null;
    }

    private async Task OnServerRequestAsync(WireMessage request)
    {
        if (ServerRequestHandler is { } handler) await RespondAsync(request.Id!, handler(request)).ConfigureAwait(false);
        else await _serverRequests.Writer.WriteAsync(request).ConfigureAwait(false);
    }

    private WireMessage Wire(string text) =>
        new(text, JsonConvert.DeserializeObject<JObject>(text, ParseSettings)!, Interlocked.Increment(ref _sequence), _clock.Elapsed);

    public ValueTask DisposeAsync()
    {
        _disposed.Cancel();
        _http.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>A request on its way: its id, how the server answers (application/json or text/event-stream), and the answer (null: the stream ended without one).</summary>
internal sealed record HttpCall(JToken Id, string? MediaType, Task<WireMessage?> Response);
