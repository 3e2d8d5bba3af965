using System;
using System.Linq;
using System.Threading;
using KdcHa.Kerberos.Health;
using KdcHa.Monitor;
using KdcHa.Notification;
using KdcHa.Vrrp;

namespace KdcHa.Tests.Monitor;

public class MonitorNotificationsTests
{
    private static readonly DateTime T0 = new(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly KdcHealthResult Probe = new() { Kdc = "kdc1", Verdict = KdcHealthStatus.Timeout, RoundTripMilliseconds = 100 };

    [Fact]
    public void Health_changes_map_to_unhealthy_and_recovered_but_the_first_verdict_is_no_alert()
    {
        var down = MonitorNotifications.ToNotification(new HealthChangedEvent("n1", T0, "kdc1", true, KdcHealthState.Up, KdcHealthState.Down, Probe))!;
        Assert.Equal((NotificationKind.KdcUnhealthy, NotificationSeverity.Warning, "kdc1", "Up", "Down"), (down.Kind, down.Severity, down.Instance, down.OldState, down.NewState));
        Assert.Equal(("n1", T0, MonitorNotifications.Source), (down.Host, down.Time, down.Source));

        var up = MonitorNotifications.ToNotification(new HealthChangedEvent("n1", T0, "kdc1", true, KdcHealthState.Down, KdcHealthState.Up, Probe))!;
        Assert.Equal((NotificationKind.KdcRecovered, NotificationSeverity.Info), (up.Kind, up.Severity));

        Assert.Null(MonitorNotifications.ToNotification(new HealthChangedEvent("n1", T0, "kdc1", true, KdcHealthState.Unknown, KdcHealthState.Up, Probe)));
    }

    [Fact]
    public void Every_kdc_down_is_critical_and_its_end_is_info()
    {
        var down = MonitorNotifications.ToNotification(new AllKdcsDownEvent("n1", T0, resolved: false, "every KDC is down"))!;
        Assert.Equal((NotificationKind.KdcUnhealthy, NotificationSeverity.Critical), (down.Kind, down.Severity));
        Assert.Contains("every KDC is down", down.Message);

        var back = MonitorNotifications.ToNotification(new AllKdcsDownEvent("n1", T0, resolved: true, "kdc1 is up"))!;
        Assert.Equal((NotificationKind.KdcRecovered, NotificationSeverity.Info), (back.Kind, back.Severity));
    }

    [Fact]
    public void Vrrp_and_split_brain_events_map_to_their_kinds()
    {
        var change = MonitorNotifications.ToNotification(new VrrpStateChangedEvent("n1", T0, "VI_1", VrrpState.Master, VrrpState.Backup, 100))!;
        Assert.Equal((NotificationKind.VrrpStateChanged, NotificationSeverity.Warning, "VI_1", "Master", "Backup"), (change.Kind, change.Severity, change.Instance, change.OldState, change.NewState));
        Assert.Equal("100", change.Details["priority"]);

        var split = MonitorNotifications.ToNotification(new SplitBrainSuspectedEvent("n1", T0, 51, new[] { "10.0.0.1", "10.0.0.2" }, T0))!;
        Assert.Equal((NotificationKind.SplitBrain, NotificationSeverity.Critical, "VRID 51"), (split.Kind, split.Severity, split.Instance));
        Assert.Equal("10.0.0.1, 10.0.0.2", split.Details["masters"]);

        var over = MonitorNotifications.ToNotification(new SplitBrainClearedEvent("n1", T0.AddSeconds(4), 51, T0))!;
        Assert.Equal((NotificationKind.SplitBrain, NotificationSeverity.Info), (over.Kind, over.Severity));
    }

    [Fact]
    public void Bookkeeping_events_are_not_alerts()
    {
        Assert.Null(MonitorNotifications.ToNotification(new FaultChangedEvent("n1", T0, true, "local down")));
        Assert.Null(MonitorNotifications.ToNotification(new MonitorStartedEvent("n1", T0, 1, new[] { "kdc1" }, 200)));
        Assert.Null(MonitorNotifications.ToNotification(new MonitorStoppedEvent("n1", T0, "stopped", false)));
        Assert.Null(MonitorNotifications.ToNotification(new MonitorSourceFailedEvent("n1", T0, "fifo", "gone")));
    }

    [Fact]
    public void Publish_never_waits_for_a_slow_spool_and_everything_reaches_it_by_complete()
    {
        using var release = new ManualResetEventSlim();
        var enqueued = new System.Collections.Concurrent.ConcurrentQueue<NotificationEvent>();
        using var sink = new NotifyingEventSink(n => { release.Wait(); enqueued.Enqueue(n); }, (_, e) => throw e);

        var started = DateTime.UtcNow;
        for (var i = 0; i < 100; i++)
        {
            sink.Publish(new AllKdcsDownEvent("n1", T0, resolved: i % 2 == 1, "test"));
            sink.Publish(new FaultChangedEvent("n1", T0, true, "not an alert"));
        }

        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(1), "Publish waited for the spool");
        Assert.Empty(enqueued);
        release.Set();
        Assert.True(sink.Complete(TimeSpan.FromSeconds(10)));
        Assert.Equal(100, enqueued.Count);
    }

    [Fact]
    public void A_spool_failure_is_reported_and_later_alerts_still_go()
    {
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var enqueued = 0;
        using var sink = new NotifyingEventSink(
            n => { if (Interlocked.Increment(ref enqueued) == 1) { throw new System.IO.IOException("disk full"); } },
            (_, e) => failures.Enqueue(e));

        sink.Publish(new AllKdcsDownEvent("n1", T0, resolved: false, "a"));
        sink.Publish(new AllKdcsDownEvent("n1", T0, resolved: true, "b"));
        Assert.True(sink.Complete(TimeSpan.FromSeconds(10)));

        Assert.Equal("disk full", Assert.Single(failures).Message);
        Assert.Equal(2, enqueued);
    }
}
