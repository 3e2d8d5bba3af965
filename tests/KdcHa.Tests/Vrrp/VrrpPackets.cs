using System;
using System.Linq;
using System.Net;

namespace KdcHa.Tests.Vrrp;

/// <summary>
/// Builds VRRP advertisements as they cross the wire, IP header first, with correct checksums: over IPv4 to
/// 224.0.0.18, or over IPv6 to ff02::12 when the source is an IPv6 address.
/// </summary>
internal static class VrrpPackets
{
    public const int IPv6HeaderLength = 40;

    public static byte[] Advertisement(int version, string source, int vrid, int priority, double interval, params string[] addresses)
    {
        var sourceAddress = IPAddress.Parse(source);
        var isIPv6 = sourceAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        var headerLength = isIPv6 ? IPv6HeaderLength : 20;
        var vips = addresses.SelectMany(a => IPAddress.Parse(a).GetAddressBytes()).ToArray();
        var vrrpLength = 8 + vips.Length + (version == 2 ? 8 : 0);
        var packet = new byte[headerLength + vrrpLength];
        if (isIPv6)
        {
            packet[0] = 0x60;
            packet[4] = (byte)(vrrpLength >> 8);
            packet[5] = (byte)vrrpLength;
            packet[6] = 112;
            packet[7] = 255;
            sourceAddress.GetAddressBytes().CopyTo(packet, 8);
            IPAddress.Parse("ff02::12").GetAddressBytes().CopyTo(packet, 24);
        }
        else
        {
            packet[0] = 0x45;
            packet[2] = (byte)(packet.Length >> 8);
            packet[3] = (byte)packet.Length;
            packet[8] = 255;
            packet[9] = 112;
            sourceAddress.GetAddressBytes().CopyTo(packet, 12);
            new byte[] { 224, 0, 0, 18 }.CopyTo(packet, 16);
        }

        var vrrp = packet.AsSpan(headerLength);
        vrrp[0] = (byte)((version << 4) | 1);
        vrrp[1] = (byte)vrid;
        vrrp[2] = (byte)priority;
        vrrp[3] = (byte)addresses.Length;
        if (version == 2)
        {
            vrrp[5] = (byte)interval;
        }
        else
        {
            var centiseconds = (int)Math.Round(interval * 100);
            vrrp[4] = (byte)((centiseconds >> 8) & 0x0F);
            vrrp[5] = (byte)centiseconds;
        }

        vips.CopyTo(vrrp.Slice(8));
        return WithChecksum(packet);
    }

    /// <summary>Recomputes the VRRP checksum after a test changed a field, so only that field can make parsing fail.</summary>
    public static byte[] WithChecksum(byte[] packet)
    {
        var isIPv6 = packet[0] >> 4 == 6;
        var vrrp = packet.AsSpan(isIPv6 ? IPv6HeaderLength : 20);
        vrrp[6] = 0;
        vrrp[7] = 0;
        var addresses = isIPv6 ? packet.AsSpan(8, 32) : packet.AsSpan(12, 8);
        var sum = vrrp[0] >> 4 == 3 ? Sum(addresses) + vrrp.Length + 112 : 0;
        var checksum = Fold(sum + Sum(vrrp));
        vrrp[6] = (byte)(checksum >> 8);
        vrrp[7] = (byte)checksum;
        return packet;
    }

    private static long Sum(ReadOnlySpan<byte> data)
    {
        long sum = 0;
        for (var i = 0; i < data.Length; i += 2)
        {
            sum += (data[i] << 8) | (i + 1 < data.Length ? data[i + 1] : 0);
        }

        return sum;
    }

    private static int Fold(long sum)
    {
        while (sum >> 16 != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (int)(~sum & 0xFFFF);
    }
}
