using System.Text;
using System.Threading.Channels;

namespace Pmcp.Client;

/// <summary>
/// One in-memory session as an <see cref="IClientConnection"/>: sends write to the server's channel (waiting while the
/// server is not reading, as a socket's send would), receives read the server's. The session ends when the server
/// completes its channel (the reason is the completion's message), when a message exceeds
/// <see cref="McpTransportConfig.MaxMessageBytes"/>, or when the client aborts.
/// </summary>
internal sealed class InMemoryClientConnection(InMemoryChannels channels, InMemoryConfig config, int generation) : IClientConnection
{
    private readonly CancellationTokenSource _abort = new();
    private volatile string? _abortReason;

    public int Generation { get; } = generation;

    public bool IsOpen => _abortReason is null && !channels.FromServer.Completion.IsCompleted;

    public Action<Protocol.RequestId, Exception>? RequestFailed { get; set; }

    public async ValueTask<string> ReceiveAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _abort.Token);
        string text;
        try
        {
            text = await channels.FromServer.ReadAsync(linked.Token).ConfigureAwait(false);
        }
        catch (ChannelClosedException ex)
        {
            // The server's reason is the exception it completed the channel with; the reader gets it wrapped.
            throw Lost((ex.InnerException ?? ex).Message, ex);
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw Lost(_abortReason ?? "it was aborted", null);
        }

        if (text.Length > config.MaxMessageBytes / 3 && Encoding.UTF8.GetByteCount(text) > config.MaxMessageBytes)
        {
            var why = $"the server sent a message larger than {config.MaxMessageBytes} bytes";
            Abort(why);
            throw Lost(why, null);
        }
        return text;
    }

    public async Task SendAsync(OutboundMessage message, CancellationToken cancellationToken)
    {
        if (_abortReason is { } reason) throw Lost(reason, null);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _abort.Token);
        try
        {
            await channels.ToServer.WriteAsync(message.Json, linked.Token).ConfigureAwait(false);
        }
        catch (ChannelClosedException ex)
        {
            throw Lost("the server ended the session", ex);
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw Lost(_abortReason ?? "it was aborted", null);
        }
    }

    public void UseProtocol(string? version, bool modern)
    {
    }

    public void HandshakeDone()
    {
    }

    /// <summary>The channel carries other messages too, so the client cancels with <c>notifications/cancelled</c>.</summary>
    public bool Abandon(Protocol.RequestId id) => false;

    public void Abort(string reason)
    {
        _abortReason ??= reason;
        channels.ToServer.TryComplete();
        _abort.Cancel();
    }

    private McpConnectionLostException Lost(string why, Exception? inner) =>
        new($"The connection to {config.Url} was lost: {why.TrimEnd('.')}.", inner);
}
