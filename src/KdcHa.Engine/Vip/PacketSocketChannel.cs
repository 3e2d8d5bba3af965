using System;

namespace KdcHa.Vip;

/// <summary>One AF_PACKET socket bound to an interface and an EtherType: it sends whole frames and hears only that type.</summary>
internal sealed class PacketSocketChannel : ILinkLayerChannel
{
    private readonly NativeSocket _socket;

    public PacketSocketChannel(LinkInterface link, ushort etherType)
    {
        var protocol = (ushort)((etherType >> 8) | ((etherType & 0xff) << 8)); // htons
        // struct sockaddr_ll { u16 family; be16 protocol; int ifindex; u16 hatype; u8 pkttype; u8 halen; u8 addr[8]; }
        var address = new byte[20];
        BitConverter.GetBytes((ushort)LinuxAddressFamily.Packet).CopyTo(address, 0);
        BitConverter.GetBytes(protocol).CopyTo(address, 2);
        BitConverter.GetBytes(link.Index).CopyTo(address, 4);
        _socket = new NativeSocket(LinuxAddressFamily.Packet, protocol, address, $"packet ({link.Name}, EtherType 0x{etherType:x4})");
    }

    public void Send(byte[] frame) => _socket.Send(frame);

    public int Receive(byte[] buffer, TimeSpan timeout) => _socket.Receive(buffer, timeout);

    public void Dispose() => _socket.Dispose();
}
