using System.Net;

namespace KdcHa.Vip;

/// <summary>The fields of a received Ethernet/IPv4 ARP packet that conflict detection looks at.</summary>
public sealed record ArpPacket(ushort Operation, byte[] SenderMac, IPAddress SenderAddress, IPAddress TargetAddress);
