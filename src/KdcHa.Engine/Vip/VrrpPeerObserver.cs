using KdcHa.Vrrp;

namespace KdcHa.Vip;

/// <summary>Peers as heard on the wire, through the VRRP listener (IPv4 VRRP on one interface).</summary>
public sealed class VrrpPeerObserver : IPeerObserver
{
    public IPeerListener Listen(string interfaceName, int virtualRouterId) =>
        new VrrpPeerListener(new VrrpAdvertisementListener(interfaceName), virtualRouterId);
}
