using System;
using System.Net;
using KdcHa.Vrrp;

namespace KdcHa.Vip;

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
