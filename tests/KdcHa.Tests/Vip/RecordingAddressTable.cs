using System.Collections.Generic;
using KdcHa.Vip;

namespace KdcHa.Tests.Vip;

/// <summary>An address table in memory that records each change and can refuse with an errno like the kernel.</summary>
internal sealed class RecordingAddressTable : IInterfaceAddressTable
{
    public HashSet<string> Addresses { get; } = new();

    public int? RefuseWith { get; set; }

    public void Add(LinkInterface link, InterfaceAddress address)
    {
        if (RefuseWith is int errno)
        {
            throw new NetlinkException($"Adding {address}", errno);
        }

        if (!Addresses.Add($"{link.Name} {address}"))
        {
            throw new NetlinkException($"Adding {address}", NetlinkException.AddressExists);
        }
    }

    public bool Remove(LinkInterface link, InterfaceAddress address) => Addresses.Remove($"{link.Name} {address}");
}
