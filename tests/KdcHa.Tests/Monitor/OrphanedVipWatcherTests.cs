using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using KdcHa.Monitor;
using KdcHa.Tests.Vrrp;
using KdcHa.Vip;
using KdcHa.Vrrp;

namespace KdcHa.Tests.Monitor;

public class OrphanedVipWatcherTests
{
    private const string Vip = "192.0.2.100";
    private const string Peer = "192.0.2.12";

    private readonly ListSink _sink = new();
    private readonly FakeVipHolder _holder = new();
    private string? _keepalivedNotRunning = "its pid file /run/keepalived.pid does not exist";

    [Fact]
    public void ReleasesAHeldVipWhenKeepalivedIsGoneAndAPeerAdvertisesAsMaster()
    {
        _holder.Held.Add(new HeldAddress("eth0", InterfaceAddress.Parse(Vip + "/32")));

        Watcher().Observe(Advert(Peer, 100));

        Assert.Equal(new[] { "192.0.2.100/32 on eth0" }, _holder.Released.Select(held => held.ToString()));
        var orphaned = Assert.Single(_sink.Of<OrphanedVipEvent>());
        Assert.True(orphaned.Released);
        Assert.Equal((51, Peer, "Critical"), (orphaned.VirtualRouterId, orphaned.Master, orphaned.Severity));
        Assert.Equal(new[] { "192.0.2.100/32 on eth0" }, orphaned.Addresses);
        Assert.Contains("does not exist", orphaned.Message);
    }

    [Fact]
    public void NeverReleasesAnAddressWhileKeepalivedRuns()
    {
        _holder.Held.Add(new HeldAddress("eth0", InterfaceAddress.Parse(Vip + "/32")));
        _keepalivedNotRunning = null;

        Watcher().Observe(Advert(Peer, 100));

        Assert.Empty(_holder.Released);
        Assert.Equal(0, _holder.Lookups);
        Assert.Empty(_sink.Events);
    }

    [Fact]
    public void IgnoresAResigningMasterAndAVipThisHostNoLongerHolds()
    {
        var watcher = Watcher();
        _holder.Held.Add(new HeldAddress("eth0", InterfaceAddress.Parse(Vip + "/32")));
        watcher.Observe(Advert(Peer, 0));
        _holder.Held.Clear();
        watcher.Observe(Advert(Peer, 100));

        Assert.Empty(_holder.Released);
        Assert.Empty(_sink.Events);
    }

    [Fact]
    public void TriesAFailingReleaseAtEveryAdvertisementButReportsItOnce()
    {
        _holder.Held.Add(new HeldAddress("eth0", InterfaceAddress.Parse(Vip + "/32")));
        _holder.Refusal = new NetlinkException("Removing 192.0.2.100/32 from eth0", 1);
        var watcher = Watcher();

        for (var i = 0; i < 5; i++)
        {
            watcher.Observe(Advert(Peer, 100));
        }

        Assert.Equal(5, _holder.Attempts);
        var orphaned = Assert.Single(_sink.Of<OrphanedVipEvent>());
        Assert.False(orphaned.Released);
        Assert.Contains("192.0.2.100/32 on eth0", orphaned.Error);
    }

    [Fact]
    public void AnOrphanedVipIsACriticalSplitBrainAlert()
    {
        _holder.Held.Add(new HeldAddress("eth0", InterfaceAddress.Parse(Vip + "/32")));
        Watcher().Observe(Advert(Peer, 100));

        var alert = MonitorNotifications.ToNotification(_sink.Of<OrphanedVipEvent>().Single());

        Assert.NotNull(alert);
        Assert.Equal((KdcHa.Notification.NotificationKind.SplitBrain, KdcHa.Notification.NotificationSeverity.Critical), (alert!.Kind, alert.Severity));
        Assert.Equal(("VRID 51", "SplitBrain", "Single"), (alert.Instance, alert.OldState, alert.NewState));
        Assert.Equal(Peer, alert.Details["master"]);
    }

    private OrphanedVipWatcher Watcher() =>
        new("node1", "orphaned VIP listener", () => new SilentAdvertisementSource(), () => _keepalivedNotRunning, _holder, _sink, new FakeClock(), TimeSpan.FromSeconds(1));

    private static VrrpAdvertisement Advert(string source, int priority)
    {
        Assert.True(VrrpAdvertisement.TryParse(VrrpPackets.Advertisement(3, source, 51, priority, 0.1, Vip), DateTime.UtcNow, out var advert));
        return advert!;
    }

    private sealed class FakeVipHolder : IVipHolder
    {
        public List<HeldAddress> Held { get; } = new();

        public List<HeldAddress> Released { get; } = new();

        public Exception? Refusal { get; set; }

        public int Lookups { get; private set; }

        public int Attempts { get; private set; }

        public IReadOnlyList<HeldAddress> Holding(IReadOnlyCollection<IPAddress> addresses)
        {
            Lookups++;
            return Held.Where(held => addresses.Contains(held.Address.Address)).ToList();
        }

        public DirectVipResult Release(HeldAddress held)
        {
            Attempts++;
            if (Refusal is not null)
            {
                throw Refusal;
            }

            Held.Remove(held);
            Released.Add(held);
            return new DirectVipResult { Operation = "Release", Changed = true };
        }
    }
}
