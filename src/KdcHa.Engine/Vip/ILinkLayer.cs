namespace KdcHa.Vip;

/// <summary>Opens Ethernet-level channels on an interface for one EtherType (ARP, IPv6).</summary>
public interface ILinkLayer
{
    ILinkLayerChannel Open(LinkInterface link, ushort etherType);
}
