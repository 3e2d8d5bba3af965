using KdcHa.Common;

namespace KdcHa.Vip;

/// <summary>Another host answered the ARP probe for the address: taking it too would make two holders.</summary>
public sealed class AddressInUseException : KdcHaException
{
    public AddressInUseException(InterfaceAddress address, string interfaceName, string holderMac)
        : base($"{address.Address} is in use on the link of {interfaceName}: {holderMac} answered the ARP probe. " +
               $"Release it on its holder first (Move-KdcVip -Direct -Release there), or add -Force to take it anyway.")
    {
        Address = address.Address.ToString();
        HolderMac = holderMac;
    }

    public string Address { get; }

    public string HolderMac { get; }
}
