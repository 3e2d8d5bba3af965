using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using KdcHa.Keepalived;
using KdcHa.Monitor;
using KdcHa.Tests.Vrrp;
using KdcHa.Vrrp;

using static KdcHa.Kerberos.Health.KdcHealthStatus;

namespace KdcHa.Tests.Monitor;

public class VrrpWatcherTests
{
    private static readonly DateTime T0 = new(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Notify_lines_become_state_changes_and_priority_events_only_refresh_the_priority()
    {
        var sink = new ListSink();
        var vrrp = new VrrpObservations();
        var watcher = new NotifyFifoWatcher("node1", "fifo", () => throw new NotSupportedException(), vrrp, sink, new FakeClock(), TimeSpan.FromSeconds(1));

        foreach (var line in new[] { "INSTANCE \"VI_1\" BACKUP 100", "INSTANCE \"VI_1\" MASTER 100", "INSTANCE \"VI_1\" MASTER_PRIORITY 150", "INSTANCE \"VI_1\" FAULT 0" })
        {
            Assert.True(VrrpNotification.TryParse(line, T0, out var notification));
            watcher.Observe(notification!);
        }

        var changes = sink.Of<VrrpStateChangedEvent>().ToArray();
        Assert.Equal(new[] { "Unknown>Backup", "Backup>Master", "Master>Fault" }, changes.Select(c => $"{c.PreviousState}>{c.State}"));
        Assert.Equal(new[] { "Information", "Information", "Warning" }, changes.Select(c => c.Severity));
        var status = Assert.Single(vrrp.Instances());
        Assert.Equal(("VI_1", "Fault", 0), (status.Instance, status.State, status.Priority));
    }

    [Fact]
    public async Task A_missing_fifo_is_waited_for_quietly_and_read_once_it_exists()
    {
        var sink = new ListSink();
        var opens = 0;
        IVrrpNotificationSource Open() => ++opens < 3 ? throw new FileNotFoundException("no fifo") : new ScriptedNotifySource("INSTANCE \"VI_1\" MASTER 100");
        var clock = new FakeClock();
        var watcher = new NotifyFifoWatcher("node1", "fifo", Open, new VrrpObservations(), sink, clock, TimeSpan.FromSeconds(1));
        using var cancel = new CancellationTokenSource();

        var run = watcher.RunAsync(cancel.Token);
        await WaitUntil(() => sink.Of<VrrpStateChangedEvent>().Any());
        cancel.Cancel();
        await run;

        Assert.Equal(3, opens);
        Assert.Empty(sink.Of<MonitorSourceFailedEvent>());
    }

    [Fact]
    public async Task A_failing_source_is_reported_once_however_often_it_is_retried()
    {
        var sink = new ListSink();
        var opens = 0;
        var clock = new FakeClock();
        var watcher = new SplitBrainWatcher("node1", "listener on eth0", () => { opens++; throw new VrrpPermissionException("needs CAP_NET_RAW"); },
            new VrrpObservations(), sink, clock, TimeSpan.FromSeconds(1));
        using var cancel = new CancellationTokenSource();

        // The fake clock's retry delay does not yield: run the retry loop on a thread of its own.
        var run = Task.Run(() => watcher.RunAsync(cancel.Token));
        await WaitUntil(() => Volatile.Read(ref opens) >= 5);
        cancel.Cancel();
        await run;

        var failure = Assert.Single(sink.Of<MonitorSourceFailedEvent>());
        Assert.Equal("listener on eth0", failure.Source);
        Assert.Equal("Warning", failure.Severity);
    }

    [Fact]
    public void Two_masters_within_three_intervals_are_one_episode_that_clears_when_one_falls_silent()
    {
        var sink = new ListSink();
        var vrrp = new VrrpObservations();
        var watcher = new SplitBrainWatcher("node1", "wire", () => new SilentAdvertisementSource(), vrrp, sink, new FakeClock(), TimeSpan.FromSeconds(1));

        watcher.Observe(Advert("10.0.0.1", 200, T0));
        watcher.Evaluate(T0);
        Assert.Empty(sink.Events);
        Assert.Equal(TimeSpan.FromSeconds(3), watcher.Window);

        // Both advertise every second for a while: one episode, reported once a whole window after it began.
        for (var s = 1; s <= 5; s++)
        {
            watcher.Observe(Advert("10.0.0.1", 200, T0.AddSeconds(s)));
            watcher.Observe(Advert("10.0.0.2", 100, T0.AddSeconds(s)));
            watcher.Evaluate(T0.AddSeconds(s));
        }

        var suspected = Assert.Single(sink.Of<SplitBrainSuspectedEvent>());
        Assert.Equal((T0.AddSeconds(4), T0.AddSeconds(1)), (suspected.Timestamp, suspected.Since));
        Assert.Equal(7, suspected.VirtualRouterId);
        Assert.Equal(new[] { "10.0.0.1", "10.0.0.2" }, suspected.Masters);
        Assert.Equal("Critical", suspected.Severity);
        Assert.Equal(new[] { "10.0.0.1", "10.0.0.2" }, Assert.Single(vrrp.SplitBrains()).Masters);

        // 10.0.0.2 went back to backup (silent): the episode ends once its last advert leaves the window.
        for (var s = 6; s <= 9; s++)
        {
            watcher.Observe(Advert("10.0.0.1", 200, T0.AddSeconds(s)));
            watcher.Evaluate(T0.AddSeconds(s));
        }

        var cleared = Assert.Single(sink.Of<SplitBrainClearedEvent>());
        Assert.Equal(T0.AddSeconds(9), cleared.Timestamp);
        Assert.Equal(T0.AddSeconds(1), cleared.SuspectedSince);
        Assert.Empty(vrrp.SplitBrains());
    }

    [Fact]
    public void The_overlap_of_an_ordinary_handover_is_not_a_split_brain()
    {
        var sink = new ListSink();
        var watcher = new SplitBrainWatcher("node1", "wire", () => new SilentAdvertisementSource(), new VrrpObservations(), sink, new FakeClock(), TimeSpan.FromSeconds(1));

        // 10.0.0.1 advertised last at T0 and yields; 10.0.0.2 advertises from T0.5 on. Both are in the window until T3.
        watcher.Observe(Advert("10.0.0.1", 100, T0));
        for (var tenth = 5; tenth <= 60; tenth += 5)
        {
            watcher.Observe(Advert("10.0.0.2", 200, T0.AddSeconds(tenth / 10.0)));
            watcher.Evaluate(T0.AddSeconds(tenth / 10.0));
        }

        Assert.Empty(sink.Events);
    }

    [Fact]
    public void A_master_resigning_with_priority_0_is_not_a_second_master()
    {
        var sink = new ListSink();
        var watcher = new SplitBrainWatcher("node1", "wire", () => new SilentAdvertisementSource(), new VrrpObservations(), sink, new FakeClock(), TimeSpan.FromSeconds(1));

        watcher.Observe(Advert("10.0.0.1", 0, T0));
        watcher.Observe(Advert("10.0.0.2", 100, T0));
        watcher.Evaluate(T0);

        Assert.Empty(sink.Events);
    }

    [Fact]
    public void Watcher_events_come_before_MonitorStopped_and_the_status_shows_what_they_saw()
    {
        var vrrp = new VrrpObservations();
        NotifyFifoWatcher? fifo = null;
        var harness = new MonitorHarness(watchers: new IMonitorWatcher[] { new LazyWatcher(() => fifo!) }, vrrp: vrrp);
        fifo = new NotifyFifoWatcher("node1", "fifo", () => new ScriptedNotifySource("INSTANCE \"VI_1\" MASTER 200"), vrrp, harness.Sink, harness.Clock, TimeSpan.FromSeconds(1));
        harness.Prober.Add("local", Healthy, Healthy);
        harness.Prober.Add("peer", Healthy, Healthy);
        harness.Prober.WaitFor = () => vrrp.Instances().Count == 1;

        harness.Run();

        Assert.IsType<MonitorStoppedEvent>(harness.Sink.Events.Last());
        Assert.Single(harness.Sink.Of<VrrpStateChangedEvent>());
        Assert.Contains(harness.Status.Written, status => status.Vrrp.Any(v => v.Instance == "VI_1" && v.State == "Master" && v.Priority == 200));
    }

    private static VrrpAdvertisement Advert(string source, int priority, DateTime at)
    {
        Assert.True(VrrpAdvertisement.TryParse(VrrpPackets.Advertisement(2, source, 7, priority, 1, "10.0.0.100"), at, out var advert));
        return advert!;
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }

    /// <summary>Lets the test build a watcher that needs the harness's sink and clock after the harness.</summary>
    private sealed class LazyWatcher : IMonitorWatcher
    {
        private readonly Func<IMonitorWatcher> _watcher;

        public LazyWatcher(Func<IMonitorWatcher> watcher)
        {
            _watcher = watcher;
        }

        public Task RunAsync(CancellationToken cancellationToken) => _watcher().RunAsync(cancellationToken);
    }
}
