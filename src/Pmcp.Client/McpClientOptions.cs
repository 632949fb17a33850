using System.Reflection;
using Microsoft.Extensions.Logging;
using Pmcp.Protocol;

namespace Pmcp.Client;

/// <summary>What an <see cref="McpClient"/> says about itself and where it logs.</summary>
public sealed record McpClientOptions
{
    /// <summary>The <c>clientInfo</c> sent in initialize. Default: <c>pmcp-dotnet</c> with this library's version.</summary>
    public Implementation ClientInfo { get; init; } = DefaultClientInfo;

    /// <summary>
    /// The protocol revision asked for in initialize. The server may answer with another; any revision in
    /// <see cref="McpProtocolVersions.Supported"/> is accepted, others fail initialize. Default: the latest.
    /// </summary>
    public string ProtocolVersion { get; init; } = McpProtocolVersions.Latest;

    /// <summary>Where the client logs connection changes and handler failures. Default: nowhere.</summary>
    public ILogger? Logger { get; init; }

    internal static Implementation DefaultClientInfo { get; } = new("pmcp-dotnet", LibraryVersion);

    internal static string LibraryVersion =>
        typeof(McpClientOptions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(McpClientOptions).Assembly.GetName().Version?.ToString(3)
        ?? "0.0.0";
}
