using System;
using System.Linq;
using System.Net;

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
