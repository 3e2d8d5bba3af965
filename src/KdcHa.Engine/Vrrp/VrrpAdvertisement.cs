using System;
using System.Collections.Generic;
using System.Net;

namespace KdcHa.Vrrp;

/// <summary>
/// A VRRP advertisement (RFC 3768 version 2, RFC 5798 version 3) over IPv4, as a raw socket delivers it: IPv4 header
/// first. Only packets a conforming router could have sent parse: TTL 255, protocol 112, type 1, a virtual router id
/// of 1-255, an address list that fits, and a valid checksum (v3 with the IPv4 pseudo-header).
/// </summary>
public sealed class VrrpAdvertisement
{
    public const int ProtocolNumber = 112;
    private const int IPv4MinimumHeaderLength = 20;
    private const int VrrpHeaderLength = 8;
    private const int Version2AuthenticationLength = 8;

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

    public int VirtualRouterId { get; }

    /// <summary>0 means the master is resigning; only a master advertises.</summary>
    public int Priority { get; }

    public double AdvertisementIntervalSeconds { get; }

    public IReadOnlyList<IPAddress> VirtualAddresses { get; }

    public DateTime ReceivedUtc { get; }

    public static bool TryParse(ReadOnlySpan<byte> ipPacket, DateTime receivedUtc, out VrrpAdvertisement? advertisement)
    {
        advertisement = null;
        if (ipPacket.Length < IPv4MinimumHeaderLength || ipPacket[0] >> 4 != 4)
        {
            return false;
        }

        var headerLength = (ipPacket[0] & 0x0F) * 4;
        var totalLength = (ipPacket[2] << 8) | ipPacket[3];
        if (headerLength < IPv4MinimumHeaderLength || totalLength > ipPacket.Length || totalLength < headerLength + VrrpHeaderLength
            || ipPacket[8] != 255 || ipPacket[9] != ProtocolNumber)
        {
            return false;
        }

        var vrrp = ipPacket.Slice(headerLength, totalLength - headerLength);
        var version = vrrp[0] >> 4;
        var count = vrrp[3];
        var addressesEnd = VrrpHeaderLength + (count * 4);
        var expectedLength = version switch
        {
            2 => addressesEnd + Version2AuthenticationLength,
            3 => addressesEnd,
            _ => -1,
        };

        // Version 2 routers may pad; version 3 messages are exact.
        if ((vrrp[0] & 0x0F) != 1 || vrrp[1] == 0 || expectedLength < 0 || vrrp.Length < expectedLength || (version == 3 && vrrp.Length != expectedLength))
        {
            return false;
        }

        var source = new IPAddress(ipPacket.Slice(12, 4).ToArray());
        var destination = new IPAddress(ipPacket.Slice(16, 4).ToArray());
        var checksum = version == 3 ? InternetChecksum.Sum(ipPacket.Slice(12, 8), vrrp.Length + ProtocolNumber) : 0;
        if (InternetChecksum.Complete(checksum, vrrp) != 0)
        {
            return false;
        }

        var interval = version == 2 ? vrrp[5] : (((vrrp[4] & 0x0F) << 8) | vrrp[5]) / 100.0;
        var addresses = new IPAddress[count];
        for (var i = 0; i < count; i++)
        {
            addresses[i] = new IPAddress(vrrp.Slice(VrrpHeaderLength + (i * 4), 4).ToArray());
        }

        advertisement = new VrrpAdvertisement(source, destination, version, vrrp[1], vrrp[2], interval, addresses, receivedUtc);
        return true;
    }

    public override string ToString() => $"VRRPv{Version} vrid {VirtualRouterId} from {Source} priority {Priority} every {AdvertisementIntervalSeconds} s";
}
