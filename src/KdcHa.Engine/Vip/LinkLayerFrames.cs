using System;
using System.Linq;
using System.Net;
using KdcHa.Vrrp;

namespace KdcHa.Vip;

/// <summary>Ethernet frames carrying ARP for IPv4 over Ethernet (RFC 826), in the forms RFC 5227 defines.</summary>
public static class ArpFrame
{
    public const ushort EtherType = 0x0806;
    public const ushort Request = 1;
    public const ushort Reply = 2;
    public const int Length = 42;

    private static readonly byte[] Broadcast = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

    /// <summary>
    /// RFC 5227 ARP probe: "who has <paramref name="address"/>" from sender address 0.0.0.0, so no neighbour cache
    /// learns anything from it; whoever holds the address answers.
    /// </summary>
    public static byte[] Probe(byte[] senderMac, IPAddress address) => Build(senderMac, IPAddress.Any, address);

    /// <summary>
    /// RFC 5227 ARP announcement (gratuitous ARP): a broadcast request with sender and target address both
    /// <paramref name="address"/>. Linux overrides an existing neighbour entry with it even within locktime.
    /// </summary>
    public static byte[] Announcement(byte[] senderMac, IPAddress address) => Build(senderMac, address, address);

    public static bool TryParse(byte[] frame, int length, out ArpPacket? packet)
    {
        packet = null;
        if (length < Length || ReadUInt16(frame, 12) != EtherType || ReadUInt16(frame, 14) != 1 || ReadUInt16(frame, 16) != 0x0800
            || frame[18] != 6 || frame[19] != 4)
        {
            return false;
        }

        packet = new ArpPacket(
            ReadUInt16(frame, 20),
            frame.Skip(22).Take(6).ToArray(),
            new IPAddress(frame.Skip(28).Take(4).ToArray()),
            new IPAddress(frame.Skip(38).Take(4).ToArray()));
        return true;
    }

    private static byte[] Build(byte[] senderMac, IPAddress senderAddress, IPAddress targetAddress)
    {
        var frame = new byte[Length];
        Broadcast.CopyTo(frame, 0);
        senderMac.CopyTo(frame, 6);
        WriteUInt16(frame, 12, EtherType);
        WriteUInt16(frame, 14, 1); // hardware: Ethernet
        WriteUInt16(frame, 16, 0x0800); // protocol: IPv4
        frame[18] = 6;
        frame[19] = 4;
        WriteUInt16(frame, 20, Request);
        senderMac.CopyTo(frame, 22);
        senderAddress.GetAddressBytes().CopyTo(frame, 28);
        // Target hardware address stays zero: RFC 5227 asks for zero in probes and announcements.
        targetAddress.GetAddressBytes().CopyTo(frame, 38);
        return frame;
    }

    private static void WriteUInt16(byte[] buffer, int offset, ushort value)
    {
        buffer[offset] = (byte)(value >> 8);
        buffer[offset + 1] = (byte)value;
    }

    private static ushort ReadUInt16(byte[] buffer, int offset) => (ushort)((buffer[offset] << 8) | buffer[offset + 1]);
}

/// <summary>The fields of a received Ethernet/IPv4 ARP packet that conflict detection looks at.</summary>
public sealed record ArpPacket(ushort Operation, byte[] SenderMac, IPAddress SenderAddress, IPAddress TargetAddress);

/// <summary>
/// An unsolicited IPv6 neighbour advertisement (RFC 4861 7.2.6) to all nodes, with the override flag and the
/// target link-layer address option, so every neighbour cache that has the address points to this interface.
/// </summary>
public static class NeighbourAdvertisementFrame
{
    public const ushort EtherType = 0x86DD;
    public const int Length = 14 + 40 + 32;

    private const byte IcmpV6 = 58;
    private const byte NeighbourAdvertisement = 136;
    private const byte OverrideFlag = 0x20;
    private const byte TargetLinkLayerAddress = 2;
    private static readonly byte[] AllNodesMac = { 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 };
    private static readonly IPAddress AllNodes = IPAddress.Parse("ff02::1");

    public static byte[] Build(byte[] senderMac, IPAddress address)
    {
        var frame = new byte[Length];
        AllNodesMac.CopyTo(frame, 0);
        senderMac.CopyTo(frame, 6);
        frame[12] = EtherType >> 8;
        frame[13] = EtherType & 0xff;

        const int ip = 14;
        frame[ip] = 0x60;
        frame[ip + 5] = 32; // payload length
        frame[ip + 6] = IcmpV6;
        frame[ip + 7] = 255; // hop limit: receivers drop neighbour discovery with any other
        address.GetAddressBytes().CopyTo(frame, ip + 8);
        AllNodes.GetAddressBytes().CopyTo(frame, ip + 24);

        const int icmp = ip + 40;
        frame[icmp] = NeighbourAdvertisement;
        frame[icmp + 4] = OverrideFlag;
        address.GetAddressBytes().CopyTo(frame, icmp + 8);
        frame[icmp + 24] = TargetLinkLayerAddress;
        frame[icmp + 25] = 1; // option length in units of 8 bytes
        senderMac.CopyTo(frame, icmp + 26);

        // Checksum over the pseudo-header (source, destination, length, next header) and the ICMPv6 message.
        var pseudo = new byte[40];
        Array.Copy(frame, ip + 8, pseudo, 0, 32);
        pseudo[35] = 32;
        pseudo[39] = IcmpV6;
        var checksum = InternetChecksum.Complete(InternetChecksum.Sum(pseudo, 0), new ReadOnlySpan<byte>(frame, icmp, 32));
        frame[icmp + 2] = (byte)(checksum >> 8);
        frame[icmp + 3] = (byte)checksum;
        return frame;
    }
}
