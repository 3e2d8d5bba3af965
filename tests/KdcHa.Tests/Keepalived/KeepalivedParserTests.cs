using System;
using System.Collections.Generic;
using System.Net;
using System.Text;
using KdcHa.Keepalived;
using KdcHa.Vrrp;

namespace KdcHa.Tests.Keepalived;

public class KeepalivedParserTests
{
    private static readonly ISet<IPAddress> HoldsFirstVip = new HashSet<IPAddress> { IPAddress.Parse("10.9.9.100") };

    [Fact]
    public void ReadsTheJsonDump()
    {
        var state = Assert.Single(KeepalivedJsonDump.Parse(Encoding.UTF8.GetBytes(KeepalivedSamples.Json), HoldsFirstVip));
        Assert.Equal("VI_1", state.Name);
        Assert.Equal(77, state.VirtualRouterId);
        Assert.Equal("d0", state.Interface);
        Assert.Equal(VrrpState.Master, state.State);
        Assert.Equal(100, state.Priority);
        Assert.Equal(50, state.EffectivePriority);
        Assert.Equal(new[] { "10.9.9.100" }, state.VirtualIPAddresses);
        Assert.True(state.HoldsVirtualIP);
        Assert.Equal(new DateTime(2026, 11, 24, 20, 27, 2, DateTimeKind.Utc), state.LastTransition!.Value.AddTicks(-(state.LastTransition.Value.Ticks % TimeSpan.TicksPerSecond)));
        Assert.Equal("Json", state.Source);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("[{\"stats\":{}}]")]
    [InlineData("[{\"data\":{\"iname\":\"x\",\"vrid\":0}}]")]
    [InlineData("[{\"data\":{\"vrid\":5}}]")]
    [InlineData("[{\"data\":{\"iname\":\"x\",\"vrid\":5")]
    public void RejectsJsonThatIsNotKeepalivedsWithItsOwnException(string json) =>
        Assert.Throws<KeepalivedDumpFormatException>(() => KeepalivedJsonDump.Parse(Encoding.UTF8.GetBytes(json), null));

    [Fact]
    public void ReadsTheDataDump()
    {
        var state = Assert.Single(KeepalivedDataDump.Parse(KeepalivedSamples.Data, HoldsFirstVip));
        Assert.Equal("VI_1", state.Name);
        Assert.Equal(77, state.VirtualRouterId);
        Assert.Equal(VrrpState.Fault, state.State);
        Assert.Equal(100, state.Priority);
        Assert.Equal(50, state.EffectivePriority);
        Assert.Equal(new[] { "10.9.9.100", "10.9.9.101" }, state.VirtualIPAddresses);
        Assert.False(state.HoldsVirtualIP);
        Assert.NotNull(state.LastTransition);
        Assert.Equal("Data", state.Source);
    }

    [Fact]
    public void RejectsADataDumpWithoutTopology() =>
        Assert.Throws<KeepalivedDumpFormatException>(() => KeepalivedDataDump.Parse("------< Global definitions >------\n", null));

    [Fact]
    public void ReadsInstancesFromTheConfiguration()
    {
        var configured = KeepalivedConfigReader.Parse(KeepalivedSamples.Config, "/etc/keepalived/keepalived.conf").Instances;
        var instance = Assert.Single(InterfaceStateSource.ToStates(configured, held: new HashSet<IPAddress> { IPAddress.Parse("198.18.0.100") }));
        Assert.Equal("KDC_VIP", instance.Name);
        Assert.Equal(51, instance.VirtualRouterId);
        Assert.Equal("eth0", instance.Interface);
        Assert.Equal(90, instance.Priority);
        Assert.Equal(new[] { "198.18.0.100", "198.18.0.101" }, instance.VirtualIPAddresses);
        Assert.Equal(VrrpState.Backup, instance.State);
    }

    [Theory]
    [InlineData("INSTANCE \"VI_1\" MASTER 100", "INSTANCE", "VI_1", "MASTER", VrrpState.Master, 100)]
    [InlineData("GROUP \"G1\" BACKUP", "GROUP", "G1", "BACKUP", VrrpState.Backup, null)]
    [InlineData("INSTANCE \"VI 2\" FAULT 0\n", "INSTANCE", "VI 2", "FAULT", VrrpState.Fault, 0)]
    [InlineData("INSTANCE \"VI_1\" STOP 90", "INSTANCE", "VI_1", "STOP", VrrpState.Stop, 90)]
    [InlineData("INSTANCE \"VI_1\" DELETED 90", "INSTANCE", "VI_1", "DELETED", VrrpState.Deleted, 90)]
    [InlineData("INSTANCE \"VI_1\" MASTER_RX_LOWER_PRI 90", "INSTANCE", "VI_1", "MASTER_RX_LOWER_PRI", VrrpState.Master, 90)]
    [InlineData("INSTANCE \"VI_1\" BACKUP_PRIORITY 40", "INSTANCE", "VI_1", "BACKUP_PRIORITY", VrrpState.Backup, 40)]
    public void ParsesFifoLines(string line, string kind, string name, string eventName, VrrpState state, int? priority)
    {
        var at = DateTime.UtcNow;
        Assert.True(VrrpNotification.TryParse(line, at, out var n));
        Assert.Equal(kind, n!.Kind);
        Assert.Equal(name, n.Name);
        Assert.Equal(eventName, n.Event);
        Assert.Equal(state, n.State);
        Assert.Equal(priority, n.Priority);
        Assert.Equal(at, n.ReceivedUtc);
    }

    [Theory]
    [InlineData("")]
    [InlineData("RS [10.0.0.1]:88 UP")]
    [InlineData("INSTANCE VI_1 MASTER 100")]
    [InlineData("INSTANCE \"VI_1\" SLEEPING 100")]
    [InlineData("INSTANCE \"VI_1\" MASTER 1000")]
    [InlineData("INSTANCE \"VI_1\" MASTER 100 extra")]
    [InlineData("INSTANCE \"\" MASTER 100")]
    public void RejectsOtherLines(string line) => Assert.False(VrrpNotification.TryParse(line, DateTime.UtcNow, out _));
}
