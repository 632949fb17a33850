using System.Net.WebSockets;
using System.Text;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Pmcp.Actors.Tests.Support;

/// <summary>
/// The test client's receive loop: every message is kept in arrival order, responses complete their waiting request,
/// notifications and unmatched responses go to their channels, and the server's close is answered.
/// </summary>
internal sealed partial class McpTestClient
{
    private static readonly JsonSerializerSettings ParseSettings = new() { DateParseHandling = DateParseHandling.None };

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        CloseInfo info;
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    info = new CloseInfo(_socket.CloseStatus, _socket.CloseStatusDescription, null, _clock.Elapsed);
                    await AnswerCloseAsync().ConfigureAwait(false);
                    break;
                }

                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage)
                {
                    continue;
                }

                var text = result.MessageType == WebSocketMessageType.Text
                    ? Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length)
                    : "<binary " + message.Length + " bytes>";
                message.SetLength(0);
                Dispatch(text);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            info = new CloseInfo(null, null, ex, _clock.Elapsed);
        }

        _closed.TrySetResult(info);
        _notifications.Writer.TryComplete();
        _unmatched.Writer.TryComplete();
        FailPending(info);
    }

    private async Task AnswerCloseAsync()
    {
        if (_socket.State != WebSocketState.CloseReceived)
        {
            return; // we started the close; the handshake is complete
        }

        try
        {
            await SendCloseAsync("").ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The server did not wait for our close frame.
        }
    }

    private void Dispatch(string text)
    {
        JObject json;
        try
        {
            json = JsonConvert.DeserializeObject<JObject>(text, ParseSettings) ?? [];
        }
        catch (JsonException)
        {
            json = [];
        }

        var wire = new WireMessage(text, json, Interlocked.Increment(ref _sequence), _clock.Elapsed);
        lock (_received)
        {
            _received.Add(wire);
        }

        if (json.ContainsKey("method"))
        {
            _notifications.Writer.TryWrite(wire);
        }
        else if (wire.Id is { Type: JTokenType.String or JTokenType.Integer } id)
        {
            var key = WireMessage.IdKey(id);
            Count(key, wire);
            if (_pending.TryRemove(key, out var waiter))
            {
                waiter.TrySetResult(wire);
            }
            else
            {
                _unmatched.Writer.TryWrite(wire);
            }
        }
        else
        {
            _unmatched.Writer.TryWrite(wire);
        }
    }

    private void FailPending(CloseInfo info)
    {
        foreach (var key in _pending.Keys)
        {
            if (_pending.TryRemove(key, out var waiter))
            {
                waiter.TrySetException(new WebSocketException($"The socket ended before the response to id {key} came: {info}"));
            }
        }
    }
}
