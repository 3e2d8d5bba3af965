using System;
using KdcHa.Vrrp;

namespace KdcHa.Tests.Vrrp;

public class SplitBrainDetectorTests
{
    private static readonly DateTime T0 = new(2026, 11, 24, 12, 0, 0, DateTimeKind.Utc);

    private static VrrpAdvertisement Advert(string source, int priority, DateTime at, int vrid = 51)
    {
        var packet = source.Contains(':')
            ? VrrpPackets.Advertisement(3, source, vrid, priority, 1, "fd00:db8::100")
            : VrrpPackets.Advertisement(2, source, vrid, priority, 1, "10.0.0.100");
        Assert.True(VrrpAdvertisement.TryParse(packet, at, out var advert));
        return advert!;
    }

    [Fact]
    public void OneMasterIsNoSplitBrain()
    {
        var detector = new SplitBrainDetector(TimeSpan.FromSeconds(3));
        detector.Observe(Advert("10.0.0.11", 90, T0));
        detector.Observe(Advert("10.0.0.11", 90, T0.AddSeconds(1)));
        Assert.Empty(detector.Current(T0.AddSeconds(1)));
    }

    [Fact]
    public void TwoMastersWithinTheWindowAreReportedAtOnce()
    {
        var detector = new SplitBrainDetector(TimeSpan.FromSeconds(3));
        detector.Observe(Advert("10.0.0.12", 80, T0));
        detector.Observe(Advert("10.0.0.11", 90, T0.AddSeconds(0.5)));
        var report = Assert.Single(detector.Current(T0.AddSeconds(0.5)));
        Assert.Equal(51, report.VirtualRouterId);
        Assert.Equal(new[] { "10.0.0.11", "10.0.0.12" }, report.Masters);
        Assert.Equal(T0.AddSeconds(0.5), report.DetectedUtc);
    }

    [Fact]
    public void ASilentFormerMasterAgesOutAfterTheWindow()
    {
        var detector = new SplitBrainDetector(TimeSpan.FromSeconds(3));
        detector.Observe(Advert("10.0.0.11", 90, T0));
        detector.Observe(Advert("10.0.0.12", 80, T0.AddSeconds(1)));
        Assert.Single(detector.Current(T0.AddSeconds(1)));
        Assert.Empty(detector.Current(T0.AddSeconds(3.5)));
    }

    [Fact]
    public void APriorityZeroResignationIsNotAMaster()
    {
        var detector = new SplitBrainDetector(TimeSpan.FromSeconds(3));
        detector.Observe(Advert("10.0.0.11", 90, T0));
        detector.Observe(Advert("10.0.0.12", 80, T0.AddSeconds(0.2)));
        detector.Observe(Advert("10.0.0.11", 0, T0.AddSeconds(0.4)));
        Assert.Empty(detector.Current(T0.AddSeconds(0.4)));
    }

    [Fact]
    public void DifferentRoutersIdsDoNotCollide()
    {
        var detector = new SplitBrainDetector(TimeSpan.FromSeconds(3));
        detector.Observe(Advert("10.0.0.11", 90, T0, vrid: 51));
        detector.Observe(Advert("10.0.0.12", 80, T0, vrid: 52));
        Assert.Empty(detector.Current(T0));
    }

    [Fact]
    public void AnIPv4AndAnIPv6RouterWithOneIdAreTwoRouters()
    {
        // One node is master of both its IPv4 and its IPv6 instance, which keepalived lets share an id.
        var detector = new SplitBrainDetector(TimeSpan.FromSeconds(3));
        detector.Observe(Advert("10.0.0.11", 90, T0));
        detector.Observe(Advert("fe80::11", 90, T0));
        Assert.Empty(detector.Current(T0));
    }

    [Fact]
    public void TwoIPv6MastersAreASplitBrainOfTheIPv6Router()
    {
        var detector = new SplitBrainDetector(TimeSpan.FromSeconds(3));
        detector.Observe(Advert("10.0.0.11", 90, T0));
        detector.Observe(Advert("fe80::11", 90, T0));
        detector.Observe(Advert("fe80::12", 80, T0.AddSeconds(0.1)));
        var report = Assert.Single(detector.Current(T0.AddSeconds(0.1)));
        Assert.Equal(System.Net.Sockets.AddressFamily.InterNetworkV6, report.Family);
        Assert.Equal(new[] { "fe80::11", "fe80::12" }, report.Masters);
        Assert.Equal("VRID 51 IPv6: fe80::11, fe80::12 all advertise as master", report.ToString());
    }
}
