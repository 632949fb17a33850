using System.Net;
using System.Net.Sockets;
using Pmcp.Actors.Security;

namespace Pmcp.Actors.Transport;

/// <summary>
/// Whom the per-client limits count a request for: the authenticated caller when there is one (so that the users of
/// one NAT'd office are counted apart, and one token cannot spread over many addresses), else the client's address.
/// An IPv6 address counts by its /64 network, the block a single host is usually given (one host would otherwise have
/// 2^64 addresses to spread its sessions over). Behind a reverse proxy the address is the proxy's unless the app uses
/// <c>UseForwardedHeaders</c>.
/// </summary>
internal static class ClientKey
{
    public static string For(IPAddress? address, CallerIdentity? caller)
    {
        if (caller is not null)
        {
            var name = caller.Claims.FirstOrDefault(c => c.Type == caller.NameClaimType).Value;
            if (!string.IsNullOrEmpty(name)) return $"user {caller.AuthenticationType}/{name}";
        }
        return Address(address);
    }

    public static string Address(IPAddress? address)
    {
        if (address is null) return "address unknown";
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address.ToString();
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes).ToString() + "/64";
    }
}
