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

    [Fact]
    public void RejectsABadChecksum()
    {
        var packet = VrrpPackets.Advertisement(3, "10.0.0.11", 51, 90, 1, "10.0.0.100");
        packet[27] ^= 0x01;
        Assert.False(VrrpAdvertisement.TryParse(packet, Now, out _));
    }
}
