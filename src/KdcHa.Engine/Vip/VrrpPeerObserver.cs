using System.Net.Sockets;
using KdcHa.Vrrp;

namespace KdcHa.Vip;

/// <summary>Peers as heard on the wire, through the VRRP listener (IPv4 and IPv6 VRRP on one interface).</summary>
public sealed class VrrpPeerObserver : IPeerObserver
{
    public IPeerListener Listen(string interfaceName, AddressFamily family, int virtualRouterId) =>
        new VrrpPeerListener(new VrrpAdvertisementListener(interfaceName), family, virtualRouterId);
}
