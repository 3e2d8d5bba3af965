using System;

namespace KdcHa.Common;

/// <summary>The struct sockaddr_ll that binds an AF_PACKET socket to one interface and one EtherType.</summary>
internal static class PacketSocketAddress
{
    /// <param name="interfaceIndex">The interface's index in this network namespace.</param>
    /// <param name="protocolInNetworkOrder">The EtherType as socket(2) takes it: htons of the value, ETH_P_ALL for every frame.</param>
    public static byte[] Of(int interfaceIndex, ushort protocolInNetworkOrder)
    {
        // struct sockaddr_ll { u16 family; be16 protocol; int ifindex; u16 hatype; u8 pkttype; u8 halen; u8 addr[8]; }
        var address = new byte[20];
        BitConverter.GetBytes((ushort)LinuxAddressFamily.Packet).CopyTo(address, 0);
        BitConverter.GetBytes(protocolInNetworkOrder).CopyTo(address, 2);
        BitConverter.GetBytes(interfaceIndex).CopyTo(address, 4);
        return address;
    }
}
