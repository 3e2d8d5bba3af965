using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;

namespace KdcHa.Vrrp;

/// <summary>
/// A VRRP advertisement (RFC 3768 version 2, RFC 5798 version 3) as it crossed the wire, IP header first: IPv4
/// (version 2 or 3) or IPv6 (version 3 only, which is all RFC 5798 defines for IPv6). Only packets a conforming
/// router could have sent parse: TTL or hop limit 255, protocol 112 directly after the IP header, type 1, a
/// virtual router id of 1-255, an advertisement interval above 0, an address list that fits, and a valid checksum
/// (version 3 over the pseudo-header).
/// </summary>
public sealed class VrrpAdvertisement
{
    public const int ProtocolNumber = 112;
    private const int IPv4MinimumHeaderLength = 20;
    private const int IPv6HeaderLength = 40;
    private const int VrrpHeaderLength = 8;
    private const int Version2AuthenticationLength = 8;
    private const byte RequiredHopLimit = 255;

    private VrrpAdvertisement(IPAddress source, IPAddress destination, int version, int virtualRouterId, int priority, double intervalSeconds, IReadOnlyList<IPAddress> addresses, DateTime receivedUtc)
    {
        Source = source;
        Destination = destination;
        Version = version;
        VirtualRouterId = virtualRouterId;
        Priority = priority;
        AdvertisementIntervalSeconds = intervalSeconds;
        VirtualAddresses = addresses;
        ReceivedUtc = receivedUtc;
    }

    public IPAddress Source { get; }

    public IPAddress Destination { get; }

    public int Version { get; }

    /// <summary>IPv4 and IPv6 virtual routers are separate even when they share an id (RFC 5798 section 5.2.3).</summary>
    public AddressFamily Family => Source.AddressFamily;

    public int VirtualRouterId { get; }

    /// <summary>0 means the master is resigning; only a master advertises.</summary>
    public int Priority { get; }

    public double AdvertisementIntervalSeconds { get; }

    public IReadOnlyList<IPAddress> VirtualAddresses { get; }

    public DateTime ReceivedUtc { get; }

    public static bool TryParse(ReadOnlySpan<byte> ipPacket, DateTime receivedUtc, out VrrpAdvertisement? advertisement)
    {
        advertisement = null;
        return ipPacket.Length > 0 && (ipPacket[0] >> 4) switch
        {
            4 => TryParseIPv4(ipPacket, receivedUtc, out advertisement),
            6 => TryParseIPv6(ipPacket, receivedUtc, out advertisement),
            _ => false,
        };
    }

    public override string ToString() => $"VRRPv{Version} vrid {VirtualRouterId} from {Source} priority {Priority} every {AdvertisementIntervalSeconds} s";

    private static bool TryParseIPv4(ReadOnlySpan<byte> ipPacket, DateTime receivedUtc, out VrrpAdvertisement? advertisement)
    {
        advertisement = null;
        if (ipPacket.Length < IPv4MinimumHeaderLength)
        {
            return false;
        }

        var headerLength = (ipPacket[0] & 0x0F) * 4;
        var totalLength = (ipPacket[2] << 8) | ipPacket[3];
        if (headerLength < IPv4MinimumHeaderLength || totalLength > ipPacket.Length || totalLength < headerLength
            || ipPacket[8] != RequiredHopLimit || ipPacket[9] != ProtocolNumber)
        {
            return false;
        }

        // The pseudo-header's addresses are contiguous in the IPv4 header (source at 12, destination at 16).
        return TryParseVrrp(ipPacket.Slice(headerLength, totalLength - headerLength), ipPacket.Slice(12, 8), addressLength: 4, receivedUtc, out advertisement);
    }

    private static bool TryParseIPv6(ReadOnlySpan<byte> ipPacket, DateTime receivedUtc, out VrrpAdvertisement? advertisement)
    {
        advertisement = null;
        if (ipPacket.Length < IPv6HeaderLength)
        {
            return false;
        }

        // Extension headers are not followed: keepalived sends none, and RFC 5798 routers have no reason to.
        var payloadLength = (ipPacket[4] << 8) | ipPacket[5];
        if (IPv6HeaderLength + payloadLength > ipPacket.Length || ipPacket[6] != ProtocolNumber || ipPacket[7] != RequiredHopLimit)
        {
            return false;
        }

        return TryParseVrrp(ipPacket.Slice(IPv6HeaderLength, payloadLength), ipPacket.Slice(8, 32), addressLength: 16, receivedUtc, out advertisement);
    }

    private static bool TryParseVrrp(ReadOnlySpan<byte> vrrp, ReadOnlySpan<byte> sourceThenDestination, int addressLength, DateTime receivedUtc, out VrrpAdvertisement? advertisement)
    {
        advertisement = null;
        if (vrrp.Length < VrrpHeaderLength)
        {
            return false;
        }

        var version = vrrp[0] >> 4;
        var count = vrrp[3];
        var addressesEnd = VrrpHeaderLength + (count * addressLength);
        var expectedLength = version switch
        {
            2 when addressLength == 4 => addressesEnd + Version2AuthenticationLength,
            3 => addressesEnd,
            _ => -1,
        };

        // Version 2 routers may pad; version 3 messages are exact.
        if ((vrrp[0] & 0x0F) != 1 || vrrp[1] == 0 || expectedLength < 0 || vrrp.Length < expectedLength || (version == 3 && vrrp.Length != expectedLength))
        {
            return false;
        }

        // Both pseudo-headers sum to the addresses, the upper-layer length and the protocol number.
        var checksum = version == 3 ? InternetChecksum.Sum(sourceThenDestination, vrrp.Length + ProtocolNumber) : 0;
        if (InternetChecksum.Complete(checksum, vrrp) != 0)
        {
            return false;
        }

        // An interval of 0 is not one (RFC 5798 section 5.2.7: Max Adver Int must be above 0; RFC 3768 section 5.3.7
        // counts whole seconds, default 1): a peer taken at its word would be presumed dead at once.
        var interval = version == 2 ? vrrp[5] : (((vrrp[4] & 0x0F) << 8) | vrrp[5]) / 100.0;
        if (interval == 0)
        {
            return false;
        }

        var addresses = new IPAddress[count];
        for (var i = 0; i < count; i++)
        {
            addresses[i] = new IPAddress(vrrp.Slice(VrrpHeaderLength + (i * addressLength), addressLength).ToArray());
        }

        var source = new IPAddress(sourceThenDestination.Slice(0, addressLength).ToArray());
        var destination = new IPAddress(sourceThenDestination.Slice(addressLength, addressLength).ToArray());
        advertisement = new VrrpAdvertisement(source, destination, version, vrrp[1], vrrp[2], interval, addresses, receivedUtc);
        return true;
    }
}

/// <summary>RFC 1071 one's-complement sum, which both VRRP versions use (version 3 over a pseudo-header too).</summary>
internal static class InternetChecksum
{
    /// <summary>A running sum of 16-bit words plus <paramref name="initial"/>; a long cannot overflow for any IP packet.</summary>
    public static long Sum(ReadOnlySpan<byte> data, long initial)
    {
        var sum = initial;
        for (var i = 0; i + 1 < data.Length; i += 2)
        {
            sum += (data[i] << 8) | data[i + 1];
        }

        if (data.Length % 2 == 1)
        {
            sum += data[data.Length - 1] << 8;
        }

        return sum;
    }

    /// <summary>The folded complement of the running sum plus <paramref name="data"/>: 0 when a checksum inside the data is right.</summary>
    public static int Complete(long running, ReadOnlySpan<byte> data)
    {
        var sum = Sum(data, running);
        while (sum >> 16 != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (int)(~sum & 0xFFFF);
    }
}
