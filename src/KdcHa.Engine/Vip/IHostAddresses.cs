using System.Net;

namespace KdcHa.Vip;

/// <summary>The addresses configured on this host (this network namespace) right now.</summary>
public interface IHostAddresses
{
    bool HasInterface(string interfaceName);

    bool IsLocal(IPAddress address);

    /// <summary>The interface's first address of the VIP's family that is not the VIP: VRRP's source address.</summary>
    IPAddress? OwnAddress(string interfaceName, IPAddress vip);
}
