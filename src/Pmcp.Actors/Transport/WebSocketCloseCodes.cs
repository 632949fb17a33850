using System.Net.WebSockets;
using Pmcp.Actors.Session;

namespace Pmcp.Actors.Transport;

/// <summary>How a WebSocket says each <see cref="CloseKind"/>.</summary>
internal static class WebSocketCloseCodes
{
    public static WebSocketCloseStatus ToWebSocketStatus(this CloseKind kind) => kind switch
    {
        CloseKind.Normal => WebSocketCloseStatus.NormalClosure,
        CloseKind.ShuttingDown => WebSocketCloseStatus.EndpointUnavailable,
        CloseKind.PolicyViolation => WebSocketCloseStatus.PolicyViolation,
        _ => WebSocketCloseStatus.InternalServerError,
    };
}
