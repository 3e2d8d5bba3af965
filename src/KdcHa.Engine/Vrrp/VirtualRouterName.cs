using System.Net.Sockets;

namespace KdcHa.Vrrp;

/// <summary>How a virtual router heard on the wire is named where keepalived's instance name is unknown.</summary>
public static class VirtualRouterName
{
    /// <summary>"VRID 51" for IPv4, "VRID 51 IPv6" for IPv6, whose virtual routers are separate ones.</summary>
    public static string Of(AddressFamily family, int virtualRouterId) =>
        family == AddressFamily.InterNetworkV6 ? $"VRID {virtualRouterId} IPv6" : $"VRID {virtualRouterId}";
}
