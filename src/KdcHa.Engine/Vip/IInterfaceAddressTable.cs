namespace KdcHa.Vip;

/// <summary>The kernel's interface addresses, changed the way <c>ip addr add|del</c> changes them.</summary>
public interface IInterfaceAddressTable
{
    /// <exception cref="NetlinkException">The kernel refused; errno 17 (EEXIST) when the address is already there.</exception>
    void Add(LinkInterface link, InterfaceAddress address);

    /// <summary>False when the interface does not have the address.</summary>
    /// <exception cref="NetlinkException">The kernel refused.</exception>
    bool Remove(LinkInterface link, InterfaceAddress address);
}
