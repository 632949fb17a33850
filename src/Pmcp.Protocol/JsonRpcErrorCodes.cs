namespace Pmcp.Protocol;

/// <summary>The error codes this project puts in JSON-RPC error responses.</summary>
public static class JsonRpcErrorCodes
{
    /// <summary>The text was not valid JSON.</summary>
    public const int ParseError = -32700;

    /// <summary>Valid JSON, but not a valid JSON-RPC request, notification or response; also a request the session's state forbids.</summary>
    public const int InvalidRequest = -32600;

    /// <summary>The method does not exist or is not offered by this server.</summary>
    public const int MethodNotFound = -32601;

    /// <summary>Params of the wrong shape, an unknown tool, an invalid cursor.</summary>
    public const int InvalidParams = -32602;

    /// <summary>An unexpected fault inside the server while answering this one request.</summary>
    public const int InternalError = -32603;

    /// <summary>Implementation-defined: the server is draining for shutdown and takes no new work.</summary>
    public const int ServerShuttingDown = -32000;

    /// <summary>Implementation-defined: the connection sent more messages than its rate limit allows; the request was not run.</summary>
    public const int RateLimited = -32005;

    /// <summary>MCP: the resource does not exist.</summary>
    public const int ResourceNotFound = -32002;
}
