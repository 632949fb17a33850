namespace Pmcp.Actors.Tools;

/// <summary>
/// Thrown by a resource, prompt or completion handler to answer with this JSON-RPC error (for example
/// <see cref="Pmcp.Protocol.JsonRpcErrorCodes.ResourceNotFound"/>). Any other exception answers -32603.
/// Tools report failure with an <c>isError</c> result instead.
/// </summary>
public sealed class McpException(int code, string message) : Exception(message)
{
    public int Code { get; } = code;
}
