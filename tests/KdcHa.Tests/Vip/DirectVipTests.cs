using System;
using System.Linq;
using System.Net;
using System.Threading;
using KdcHa.Vip;

namespace KdcHa.Tests.Vip;

public class DirectVipTests
{
    private static readonly LinkInterface Eth0 = new("eth0", 2, new byte[] { 0x02, 0, 0, 0, 0, 0x01 });
    private static readonly byte[] HolderMac = { 0x02, 0, 0, 0, 0, 0x02 };

    private readonly RecordingAddressTable _table = new();
    private readonly ScriptedLinkLayer _link = new();

    [Fact]
    public void AFreeAddressIsProbedAddedAndAnnouncedCountTimes()
    {
        var result = Take(InterfaceAddress.Parse("192.0.2.10/32"), count: 4);

        Assert.True(result.Changed);
        Assert.True(result.Probed);
        Assert.Equal(4, result.Announcements);
        Assert.Contains("eth0 192.0.2.10/32", _table.Addresses);
        var probes = _link.Sent.Take(DirectVip.ProbeCount).ToList();
        Assert.All(probes, sent => Assert.Equal(ArpFrame.Probe(Eth0.MacAddress, IPAddress.Parse("192.0.2.10")), sent.Frame));
        Assert.All(_link.Sent.Skip(DirectVip.ProbeCount), sent => Assert.Equal(ArpFrame.Announcement(Eth0.MacAddress, IPAddress.Parse("192.0.2.10")), sent.Frame));
        Assert.Equal(DirectVip.ProbeCount + 4, _link.Sent.Count);
    }

    [Fact]
    public void AnAnswerToTheProbeRefusesAndAddsNothing()
    {
        var reply = ArpFrame.Announcement(HolderMac, IPAddress.Parse("192.0.2.10"));
        _link.Incoming.Enqueue(reply);

        var e = Assert.Throws<AddressInUseException>(() => Take(InterfaceAddress.Parse("192.0.2.10/32")));

        Assert.Equal("02:00:00:00:00:02", e.HolderMac);
        Assert.Contains("-Force", e.Message);
        Assert.Empty(_table.Addresses);
    }

    [Fact]
    public void OurOwnFramesAndOtherAddressesAreNoConflict()
    {
        _link.Incoming.Enqueue(ArpFrame.Announcement(Eth0.MacAddress, IPAddress.Parse("192.0.2.10")));
        _link.Incoming.Enqueue(ArpFrame.Announcement(HolderMac, IPAddress.Parse("192.0.2.11")));

        Assert.True(Take(InterfaceAddress.Parse("192.0.2.10/32")).Changed);
    }

    [Fact]
    public void ForceSkipsTheProbe()
    {
        _link.Incoming.Enqueue(ArpFrame.Announcement(HolderMac, IPAddress.Parse("192.0.2.10")));

        var result = Take(InterfaceAddress.Parse("192.0.2.10/32"), force: true, count: 1);

        Assert.False(result.Probed);
        Assert.Single(_link.Sent);
    }

    [Fact]
    public void IPv6IsAnnouncedWithNeighbourAdvertisements()
    {
        var result = Take(InterfaceAddress.Parse("2001:db8::10/128"), count: 2);

        Assert.False(result.Probed);
        Assert.All(_link.Sent, sent => Assert.Equal(NeighbourAdvertisementFrame.EtherType, sent.EtherType));
        Assert.Equal(2, _link.Sent.Count);
    }

    [Fact]
    public void AnAddressAlreadyHeldIsAnnouncedAgainButNotChanged()
    {
        _table.Addresses.Add("eth0 192.0.2.10/32");

        var result = Take(InterfaceAddress.Parse("192.0.2.10/32"), count: 1);

        Assert.False(result.Changed);
        Assert.Equal(1, result.Announcements);
    }

    [Fact]
    public void AKernelRefusalCarriesItsErrno()
    {
        _table.RefuseWith = 19;

        var e = Assert.Throws<NetlinkException>(() => Take(InterfaceAddress.Parse("192.0.2.10/32")));

        Assert.Equal(19, e.Errno);
        Assert.Contains("errno 19", e.Message);
    }

    [Fact]
    public void ReleaseRemovesAndSaysWhenThereWasNothingToRemove()
    {
        var vip = new DirectVip(_table, _link);
        _table.Addresses.Add("eth0 192.0.2.10/32");

        Assert.True(vip.Release(Eth0, InterfaceAddress.Parse("192.0.2.10/32")).Changed);
        var again = vip.Release(Eth0, InterfaceAddress.Parse("192.0.2.10/32"));
        Assert.False(again.Changed);
        Assert.Contains("nothing changed", again.Message);
        Assert.Empty(_link.Sent);
    }

    [Theory]
    [InlineData("192.0.2.10", "192.0.2.10/32")]
    [InlineData("2001:db8::10/64", "2001:db8::10/64")]
    public void AddressesParseWithOrWithoutPrefix(string text, string expected) =>
        Assert.Equal(expected, InterfaceAddress.Parse(text).ToString());

    [Theory]
    [InlineData("192.0.2.10/33")]
    [InlineData("192.0.2.10/")]
    [InlineData("kdc.example/32")]
    public void BadAddressesAreRefused(string text) => Assert.Throws<FormatException>(() => InterfaceAddress.Parse(text));

    private DirectVipResult Take(InterfaceAddress address, bool force = false, int count = 3) =>
        new DirectVip(_table, _link).Take(
            new DirectVipRequest(Eth0, address) { Force = force, Count = count, Interval = TimeSpan.Zero },
            CancellationToken.None);
}
