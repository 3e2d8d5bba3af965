using System.Net.Sockets;

namespace KdcHa.Vip;

/// <summary>
/// Opens a listener for the advertisements of a virtual router: an id within one address family, since an IPv4 and
/// an IPv6 router may share an id. The switchover opens it before it demotes the node, so the new master's first
/// advertisement cannot be missed.
/// </summary>
public interface IPeerObserver
{
    IPeerListener Listen(string interfaceName, AddressFamily family, int virtualRouterId);
}
