using System;

namespace KdcHa.Vip;

/// <summary>
/// AF_PACKET raw sockets bound to one interface and EtherType: the only way to send an ARP probe (sender 0.0.0.0)
/// or a frame from an address that routing would not pick. Needs CAP_NET_RAW.
/// </summary>
public sealed class PacketSocket : ILinkLayer
{
    public ILinkLayerChannel Open(LinkInterface link, ushort etherType) => new PacketSocketChannel(link, etherType);
}
