using System;
using KdcHa.Vrrp;

namespace KdcHa.Tests.Vrrp;

public class VrrpAdvertisementTests
{
    private static readonly DateTime Now = new(2026, 11, 24, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void ParsesVersion2()
    {
        var packet = VrrpPackets.Advertisement(2, "10.0.0.11", 51, 90, 1, "10.0.0.100", "10.0.0.101");
        Assert.True(VrrpAdvertisement.TryParse(packet, Now, out var advert));
        Assert.Equal("10.0.0.11", advert!.Source.ToString());
        Assert.Equal("224.0.0.18", advert.Destination.ToString());
        Assert.Equal(2, advert.Version);
        Assert.Equal(51, advert.VirtualRouterId);
        Assert.Equal(90, advert.Priority);
        Assert.Equal(1.0, advert.AdvertisementIntervalSeconds);
        Assert.Equal(new[] { "10.0.0.100", "10.0.0.101" }, Array.ConvertAll(System.Linq.Enumerable.ToArray(advert.VirtualAddresses), a => a.ToString()));
        Assert.Equal(Now, advert.ReceivedUtc);
    }

    [Fact]
    public void ParsesVersion3WithPseudoHeaderChecksum()
    {
        var packet = VrrpPackets.Advertisement(3, "10.0.0.12", 7, 80, 2, "10.0.0.100");
        Assert.True(VrrpAdvertisement.TryParse(packet, Now, out var advert));
        Assert.Equal(3, advert!.Version);
        Assert.Equal(2.0, advert.AdvertisementIntervalSeconds);
        Assert.Equal(80, advert.Priority);
    }

    [Theory]
    [InlineData(8, 254)]   // TTL not 255
    [InlineData(9, 17)]    // not protocol 112
    [InlineData(21, 0)]    // virtual router id 0
    [InlineData(20, 0x22)] // type 2 is not an advertisement
    [InlineData(20, 0x41)] // version 4 does not exist
    [InlineData(23, 40)]   // claims more addresses than the packet holds
    public void RejectsWhatNoConformingRouterSends(int offset, byte value)
    {
        var packet = VrrpPackets.Advertisement(2, "10.0.0.11", 51, 90, 1, "10.0.0.100");
        packet[offset] = value;
        Assert.False(VrrpAdvertisement.TryParse(VrrpPackets.WithChecksum(packet), Now, out var advert));
        Assert.Null(advert);
    }

    [Theory]
    [InlineData(2, "10.0.0.11")]
    [InlineData(3, "10.0.0.11")]
    [InlineData(3, "fe80::1")]
    public void RejectsAnAdvertisementIntervalOfZero(int version, string source)
    {
        var packet = VrrpPackets.Advertisement(version, source, 51, 90, 0, source.Contains(':') ? "fd00:db8::100" : "10.0.0.100");
        Assert.False(VrrpAdvertisement.TryParse(packet, Now, out var advert));
        Assert.Null(advert);
    }

    [Fact]
    public void ParsesTheShortestVersion3Interval()
    {
        var packet = VrrpPackets.Advertisement(3, "10.0.0.12", 7, 80, 0.01, "10.0.0.100");
        Assert.True(VrrpAdvertisement.TryParse(packet, Now, out var advert));
        Assert.Equal(0.01, advert!.AdvertisementIntervalSeconds);
    }

    [Fact]
    public void RejectsABadChecksum()
    {
        var packet = VrrpPackets.Advertisement(3, "10.0.0.11", 51, 90, 1, "10.0.0.100");
        packet[27] ^= 0x01;
        Assert.False(VrrpAdvertisement.TryParse(packet, Now, out _));
    }

    [Fact]
    public void ParsesVersion3OverIPv6()
    {
        var packet = VrrpPackets.Advertisement(3, "fe80::1", 60, 200, 0.1, "fd00:db8::100", "fd00:db8::101");
        Assert.True(VrrpAdvertisement.TryParse(packet, Now, out var advert));
        Assert.Equal("fe80::1", advert!.Source.ToString());
        Assert.Equal("ff02::12", advert.Destination.ToString());
        Assert.Equal(3, advert.Version);
        Assert.Equal(60, advert.VirtualRouterId);
        Assert.Equal(200, advert.Priority);
        Assert.Equal(0.1, advert.AdvertisementIntervalSeconds);
        Assert.Equal(new[] { "fd00:db8::100", "fd00:db8::101" }, System.Linq.Enumerable.ToArray(System.Linq.Enumerable.Select(advert.VirtualAddresses, a => a.ToString())));
    }

    [Theory]
    [InlineData(7, 64)]    // hop limit not 255
    [InlineData(6, 0)]     // a hop-by-hop header, not VRRP, follows
    [InlineData(41, 0)]    // virtual router id 0
    [InlineData(40, 0x21)] // version 2 is IPv4 only (RFC 5798 section 5.2.1)
    [InlineData(43, 3)]    // claims more addresses than the packet holds
    public void RejectsWhatNoConformingIPv6RouterSends(int offset, byte value)
    {
        var packet = VrrpPackets.Advertisement(3, "fe80::1", 60, 200, 0.1, "fd00:db8::100", "fd00:db8::101");
        packet[offset] = value;
        Assert.False(VrrpAdvertisement.TryParse(VrrpPackets.WithChecksum(packet), Now, out var advert));
        Assert.Null(advert);
    }

    [Fact]
    public void RejectsAnIPv6AdvertisementWhoseChecksumOmitsThePseudoHeader()
    {
        var packet = VrrpPackets.Advertisement(3, "fe80::1", 60, 200, 0.1, "fd00:db8::100");
        packet[8 + 15] ^= 0x01;
        Assert.False(VrrpAdvertisement.TryParse(packet, Now, out _));
    }

    [Fact]
    public void RejectsAnIPv6PayloadLongerThanThePacket()
    {
        var packet = VrrpPackets.Advertisement(3, "fe80::1", 60, 200, 0.1, "fd00:db8::100");
        Assert.False(VrrpAdvertisement.TryParse(packet.AsSpan(0, packet.Length - 1), Now, out _));
    }

    [Fact]
    public void ParsesAnIPv6AdvertisementKeepalivedSent()
    {
        // keepalived 2.2.7 in the lab, VRRPv3 instance with virtual_router_id 61, priority 90, advert_int 0.5,
        // one VIP fd00:4b:4443::100; captured by tcpdump on a third host (traffic class 0xc0, no extension header).
        var packet = Convert.FromHexString(
            "6c0016c7001870ff" + "fe80000000000000bc74ebfffe598fa6" + "ff020000000000000000000000000012"
            + "313d5a010032fd6c" + "fd00004b444300000000000000000100");
        Assert.True(VrrpAdvertisement.TryParse(packet, Now, out var advert));
        Assert.Equal("VRRPv3 vrid 61 from fe80::bc74:ebff:fe59:8fa6 priority 90 every 0.5 s", advert!.ToString());
        Assert.Equal("fd00:4b:4443::100", Assert.Single(advert.VirtualAddresses).ToString());
    }
}
