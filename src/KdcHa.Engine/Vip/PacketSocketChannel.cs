using System;
using KdcHa.Common;

namespace KdcHa.Vip;

/// <summary>One AF_PACKET socket bound to an interface and an EtherType: it sends whole frames and hears only that type.</summary>
internal sealed class PacketSocketChannel : ILinkLayerChannel
{
    private readonly NativeSocket _socket;

    public PacketSocketChannel(LinkInterface link, ushort etherType)
    {
        var protocol = (ushort)((etherType >> 8) | ((etherType & 0xff) << 8)); // htons
        _socket = new NativeSocket(LinuxAddressFamily.Packet, protocol, PacketSocketAddress.Of(link.Index, protocol), $"packet ({link.Name}, EtherType 0x{etherType:x4})");
    }

    public void Send(byte[] frame) => _socket.Send(frame);

    public int Receive(byte[] buffer, TimeSpan timeout) => _socket.Receive(buffer, timeout);

    public void Dispose() => _socket.Dispose();
}
