using Newtonsoft.Json.Linq;

namespace Pmcp.Actors.Tests.Support;

/// <summary>The two transports a client may pick on the same endpoint.</summary>
public enum McpTransport
{
    WebSocket,
    StreamableHttp,
}

/// <summary>An initialized MCP session over either transport, for tests that must behave the same over both.</summary>
internal interface ITransportSession : IAsyncDisposable
{
    Task<WireMessage> RequestAsync(string method, JObject? @params = null);

    /// <summary>Sends a request; the task gives its response, or null when the transport says none will come (an HTTP stream that ended).</summary>
    Task<(JToken Id, Task<WireMessage?> Response)> StartRequestAsync(string method, JObject? @params = null);

    Task NotifyAsync(string method, JObject? @params = null);

    Task<WireMessage> ReadNotificationAsync(TimeSpan? timeout = null);
}

internal static class TransportSession
{
    public static async Task<ITransportSession> ConnectAsync(TestServer server, McpTransport transport) => transport switch
    {
        McpTransport.WebSocket => new WebSocketSession(await server.ConnectAsync().ConfigureAwait(false)),
        _ => new HttpSession(await McpHttpTestClient.ConnectAsync(server.McpHttpUri).ConfigureAwait(false)),
    };

    private sealed class WebSocketSession(McpTestClient client) : ITransportSession
    {
        public Task<WireMessage> RequestAsync(string method, JObject? @params = null) => client.RequestAsync(method, @params);

        public async Task<(JToken Id, Task<WireMessage?> Response)> StartRequestAsync(string method, JObject? @params = null)
        {
            var pending = await client.StartRequestAsync(method, @params).ConfigureAwait(false);
            return (pending.Id, Nullable(pending.Response));

            static async Task<WireMessage?> Nullable(Task<WireMessage> response) => await response.ConfigureAwait(false);
        }

        public Task NotifyAsync(string method, JObject? @params = null) => client.NotifyAsync(method, @params);

        public Task<WireMessage> ReadNotificationAsync(TimeSpan? timeout = null) => client.ReadNotificationAsync(timeout);

        public ValueTask DisposeAsync() => client.DisposeAsync();
    }

    private sealed class HttpSession(McpHttpTestClient client) : ITransportSession
    {
        public Task<WireMessage> RequestAsync(string method, JObject? @params = null) => client.RequestAsync(method, @params);

        public async Task<(JToken Id, Task<WireMessage?> Response)> StartRequestAsync(string method, JObject? @params = null)
        {
            var call = await client.StartRequestAsync(method, @params).ConfigureAwait(false);
            return (call.Id, call.Response);
        }

        public Task NotifyAsync(string method, JObject? @params = null) => client.NotifyAsync(method, @params);

        public Task<WireMessage> ReadNotificationAsync(TimeSpan? timeout = null) => client.ReadNotificationAsync(timeout);

        public ValueTask DisposeAsync() => client.DisposeAsync();
    }
}
