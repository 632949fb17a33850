using System.Net;
using Newtonsoft.Json.Linq;
using Pmcp.Protocol;

namespace Pmcp.Client;

/// <summary>
/// Finding out which protocol the server speaks: <c>server/discover</c> first (2026-07-28), falling back to the
/// <c>initialize</c> handshake as the official SDKs' clients do; and the same again after a reconnect.
/// </summary>
public sealed partial class McpClient
{
    /// <summary>
    /// Connects the transport unless it is connected and finds out what the server speaks. Unless
    /// <see cref="McpClientOptions.ProtocolVersion"/> pins a revision, it first asks <c>server/discover</c> for
    /// 2026-07-28; a server that answers with any JSON-RPC error other than the three 2026 ones (-32020, -32021, and
    /// -32022 without 2026-07-28 among <c>supported</c>), an HTTP 400/404/405 without one, or (on a WebSocket) nothing
    /// within <see cref="McpClientOptions.DiscoverProbeTimeout"/>, is a 2025-era server: then the initialize handshake runs
    /// (initialize, then <c>notifications/initialized</c>) with the newest revision both speak. May be called once.
    /// The capabilities are sent as given, plus <c>sampling</c>, <c>elicitation</c> and <c>roots</c> for each of those
    /// requests that has a handler registered (<see cref="SetRequestHandler"/>) and is not declared already. A
    /// reconnect re-runs the handshake of the era found here, with the same capabilities.
    /// </summary>
    /// <returns>The server's initialize result; for a 2026-07-28 server, one built from its discover result (see <see cref="InitializeResult"/>).</returns>
    /// <exception cref="McpConnectException">The server could not be reached, or refused the connection.</exception>
    /// <exception cref="McpProtocolException">The server refused the handshake.</exception>
    /// <exception cref="McpException">The server speaks no protocol revision this client speaks.</exception>
    public async Task<InitializeResult> InitializeAsync(ClientCapabilities capabilities, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(capabilities);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_state != McpClientState.Created)
                throw new InvalidOperationException($"InitializeAsync may be called once; the client is {_state}.");
            _state = McpClientState.Initializing;
        }

        InitializeResult result;
        try
        {
            var connection = _transport.CurrentConnection is { IsOpen: true } open ? open : null;
            if (connection is null)
            {
                await _transport.ConnectAsync(cancellationToken).ConfigureAwait(false);
                connection = _transport.CurrentConnection!;
            }

            StartReading(connection);
            _capabilities = WithHandlerCapabilities(capabilities);
            result = await NegotiateAsync(connection, cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                if (_state != McpClientState.Initializing) throw ClosedException();
                SetState(McpClientState.Ready);
            }
            LogInitialized(_logger, _config.Url, result.ServerInfo.Name, result.ServerInfo.Version, result.ProtocolVersion);
        }
        catch
        {
            lock (_gate)
            {
                if (_state == McpClientState.Initializing) SetState(McpClientState.Created);
            }
            _transport.CurrentConnection?.Abort("initialize failed");
            throw;
        }

        // 2026 era: the listen for list-changed handlers registered before now (nothing in the 2025 era).
        await OpenOwnListenAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    private ClientCapabilities WithHandlerCapabilities(ClientCapabilities capabilities) => capabilities with
    {
        Sampling = capabilities.Sampling ?? (_requestHandlers.ContainsKey(McpMethods.SamplingCreateMessage) ? new JObject() : null),
        Elicitation = capabilities.Elicitation ?? (_requestHandlers.ContainsKey(McpMethods.ElicitationCreate) ? new JObject() : null),
        Roots = capabilities.Roots ?? (_requestHandlers.ContainsKey(McpMethods.RootsList) ? new JObject() : null),
    };

    private async Task<InitializeResult> NegotiateAsync(IClientConnection connection, CancellationToken cancellationToken)
    {
        var pinned = _options.ProtocolVersion;
        if (pinned is not null && pinned != ModernProtocol.Version)
            return await HandshakeAsync(connection, pinned, cancellationToken).ConfigureAwait(false);

        var (discovered, whyNot, serverVersions, silent) = await ProbeAsync(connection, cancellationToken).ConfigureAwait(false);
        if (discovered is not null) return Adopt(connection, discovered);
        if (pinned == ModernProtocol.Version)
            throw new McpException($"The server at {_config.Url} does not speak {ModernProtocol.Version}: {whyNot}.");

        LogFallback(_logger, _config.Url, whyNot!);
        var version = serverVersions?.Where(McpProtocolVersions.IsSupported)
            .OrderByDescending(v => v, StringComparer.Ordinal).FirstOrDefault() ?? McpProtocolVersions.Latest;
        if (silent && connection.IsOpen)
        {
            // Silence may also be a 2026 server too slow to answer in time (a loaded machine): it has taken this socket
            // for the 2026 era and would refuse initialize on it, and its late answer would reach the handshake. The
            // handshake gets a socket of its own.
            connection.Abort("server/discover went unanswered");
        }
        if (!connection.IsOpen)
        {
            // The server ended the connection over the unknown method (a strict 2025-era WebSocket server may), or the
            // probe went unanswered (above): open another.
            connection = await _transport.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            StartReading(connection);
        }
        return await HandshakeAsync(connection, version, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Asks <c>server/discover</c> in the 2026 way. Returns the result when the server speaks 2026-07-28, else why not
    /// and the versions it named, if any. The three 2026-07-28 errors that mean "fix the request" are thrown.
    /// </summary>
    private async Task<(DiscoverResult? Result, string? WhyNot, IReadOnlyList<string>? ServerVersions, bool Silent)> ProbeAsync(
        IClientConnection connection, CancellationToken cancellationToken)
    {
        UseModern(connection, true);
        using var probe = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var probeTimeout = _options.DiscoverProbeTimeout;
        // Silence means "2025 era" only on a channel where an unknown method may go unanswered (a WebSocket, like
        // stdio). Over HTTP every POST gets a status, so a slow answer is just slow: the request timeout applies.
        if (_transport is WebSocketTransport && probeTimeout != Timeout.InfiniteTimeSpan
            && (_config.RequestTimeout == Timeout.InfiniteTimeSpan || probeTimeout < _config.RequestTimeout))
            probe.CancelAfter(probeTimeout);

        string whyNot;
        IReadOnlyList<string>? versions = null;
        var silent = false;
        try
        {
            var token = await RequestAsync(ModernProtocol.ServerDiscover, _ => null, probe.Token, connection: connection).ConfigureAwait(false);
            var result = Parse<DiscoverResult>(token, ModernProtocol.ServerDiscover);
            if (result.SupportedVersions.Contains(ModernProtocol.Version, StringComparer.Ordinal)) return (result, null, null, false);
            versions = result.SupportedVersions;
            whyNot = $"it speaks {string.Join(", ", versions)}";
        }
        catch (McpProtocolException ex) when (ex.Code is ModernProtocol.HeaderMismatch or ModernProtocol.MissingRequiredClientCapability)
        {
            throw;
        }
        catch (McpProtocolException ex) when (ex.Code == ModernProtocol.UnsupportedProtocolVersion)
        {
            versions = (ex.ErrorData?["supported"] as JArray)?.Select(v => (string?)v).OfType<string>().ToList();
            whyNot = $"error {ex.Code}: {ex.Message}";
        }
        catch (McpProtocolException ex)
        {
            whyNot = $"error {ex.Code}: {ex.Message}";
        }
        catch (McpConnectException ex) when (ex.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed)
        {
            whyNot = $"HTTP {(int)ex.StatusCode}";
        }
        catch (OperationCanceledException) when (probe.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            whyNot = $"no answer within {WebSocketTransport.Format(probeTimeout)}";
            silent = true;
        }
        catch (McpConnectionLostException ex) when (_transport is WebSocketTransport && !cancellationToken.IsCancellationRequested)
        {
            whyNot = ex.Message;
        }

        UseModern(connection, false);
        return (null, whyNot, versions, silent);
    }

    /// <summary>The 2025-era handshake: initialize asking for <paramref name="version"/>, then notifications/initialized.</summary>
    private async Task<InitializeResult> HandshakeAsync(IClientConnection connection, string version, CancellationToken cancellationToken)
    {
        UseModern(connection, false);
        var parameters = new InitializeParams(version, _capabilities!, _options.ClientInfo);
        var token = await RequestAsync(McpMethods.Initialize, _ => parameters, cancellationToken, connection: connection).ConfigureAwait(false);
        var result = Parse<InitializeResult>(token, McpMethods.Initialize);
        if (!McpProtocolVersions.IsSupported(result.ProtocolVersion))
        {
            throw new McpException($"The server chose protocol version '{result.ProtocolVersion}', which this client does not speak "
                + $"({string.Join(", ", McpProtocolVersions.Supported)}).");
        }
        connection.UseProtocol(result.ProtocolVersion, modern: false);
        await connection.SendAsync(new OutboundMessage(JsonRpcWriter.Notification(McpMethods.Initialized, null), Method: McpMethods.Initialized),
            cancellationToken).ConfigureAwait(false);
        connection.HandshakeDone();
        Volatile.Write(ref _discoverResult, null);
        Volatile.Write(ref _initializeResult, result);
        return result;
    }

    /// <summary>The handshake of the era found at first, on a new connection after a drop.</summary>
    private async Task<InitializeResult> HandshakeAgainAsync(IClientConnection connection, CancellationToken cancellationToken)
    {
        if (!_modern) return await HandshakeAsync(connection, InitializeResult!.ProtocolVersion, cancellationToken).ConfigureAwait(false);
        UseModern(connection, true);
        var token = await RequestAsync(ModernProtocol.ServerDiscover, _ => null, cancellationToken, connection: connection).ConfigureAwait(false);
        return Adopt(connection, Parse<DiscoverResult>(token, ModernProtocol.ServerDiscover));
    }

    private InitializeResult Adopt(IClientConnection connection, DiscoverResult discovered)
    {
        var capabilities = Parse<ServerCapabilities>(discovered.Capabilities, ModernProtocol.ServerDiscover);
        var result = new InitializeResult(ModernProtocol.Version, capabilities, discovered.ServerInfo ?? new Implementation("", ""))
        {
            Instructions = discovered.Instructions,
        };
        connection.HandshakeDone();
        Volatile.Write(ref _discoverResult, discovered);
        Volatile.Write(ref _initializeResult, result);
        return result;
    }

    private void UseModern(IClientConnection connection, bool modern)
    {
        _modern = modern;
        connection.UseProtocol(modern ? ModernProtocol.Version : null, modern);
    }

    /// <summary>A 2026-era request's params: the given ones plus the <c>_meta</c> every request carries.</summary>
    private object? WithRequestMeta(object? parameters)
    {
        if (!_modern) return parameters;
        var p = parameters switch
        {
            null => new JObject(),
            JObject o => o,
            _ => McpJson.ToToken(parameters) as JObject ?? throw new ArgumentException("Request params must be a JSON object.", nameof(parameters)),
        };
        var meta = p["_meta"] as JObject ?? new JObject();
        meta[ModernProtocol.ProtocolVersionKey] = ModernProtocol.Version;
        meta[ModernProtocol.ClientInfoKey] = McpJson.ToToken(_options.ClientInfo);
        meta[ModernProtocol.ClientCapabilitiesKey] = McpJson.ToToken(_capabilities ?? new ClientCapabilities());
        if (Volatile.Read(ref _logLevel) is { } level) meta[ModernProtocol.LogLevelKey] = level;
        p["_meta"] = meta;
        return p;
    }
}
