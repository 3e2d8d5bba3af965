using System;
using System.Linq;
using KdcHa.Monitor;
using static KdcHa.Kerberos.Health.KdcHealthStatus;

namespace KdcHa.Tests.Monitor;

public class KdcHaMonitorTests
{
    [Fact]
    public void A_hung_local_kdc_faults_the_node_after_an_immediate_confirmation()
    {
        var harness = new MonitorHarness(fall: 2);
        harness.Prober.Add("local", Healthy, Timeout, Timeout);
        harness.Prober.Add("peer", Healthy, Healthy, Healthy);

        harness.Run();

        Assert.Equal(new[] { false, true }, harness.Tracking.Writes);
        var fault = Assert.Single(harness.Sink.Of<FaultChangedEvent>(), e => e.Fault);
        Assert.Equal("Warning", fault.Severity);

        // Rounds: healthy, timeout, timeout (down). Only the healthy and the final rounds waited an interval: the
        // first timeout was confirmed at once.
        Assert.Equal(new[] { TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(200) }, harness.Clock.Delays);
    }

    [Fact]
    public void A_refused_local_kdc_faults_the_node_in_one_round()
    {
        var harness = new MonitorHarness();
        harness.Prober.Add("local", Healthy, Refused);
        harness.Prober.Add("peer", Healthy, Healthy);

        harness.Run();

        Assert.Equal(new[] { false, true }, harness.Tracking.Writes);
    }

    [Fact]
    public void When_every_kdc_is_down_the_node_keeps_the_vip_and_raises_one_critical_event()
    {
        var harness = new MonitorHarness(rise: 1);
        harness.Prober.Add("local", Healthy, Refused, Refused, Refused, Healthy);
        harness.Prober.Add("peer", Healthy, Refused, Refused, Refused, Refused);

        harness.Run();

        Assert.DoesNotContain(true, harness.Tracking.Writes);
        var alerts = harness.Sink.Of<AllKdcsDownEvent>().ToArray();
        Assert.Equal(2, alerts.Length);
        Assert.Equal("Critical", alerts[0].Severity);
        Assert.False(alerts[0].Resolved);
        Assert.True(alerts[1].Resolved);
    }

    [Fact]
    public void EveryKdcLosingItsDatabaseAtOnceRaisesOneCriticalEventThatBlamesTheDirectory()
    {
        var harness = new MonitorHarness(fall: 2);
        harness.Prober.Add("local", Healthy, DatabaseUnavailable, DatabaseUnavailable, DatabaseUnavailable);
        harness.Prober.Add("peer", Healthy, DatabaseUnavailable, DatabaseUnavailable, DatabaseUnavailable);

        harness.Run();

        Assert.DoesNotContain(true, harness.Tracking.Writes);
        var alert = Assert.Single(harness.Sink.Of<AllKdcsDownEvent>());
        Assert.Equal("Critical", alert.Severity);
        Assert.Contains("most likely the directory (LDAP)", alert.Message);
    }

    [Fact]
    public void A_peer_that_stopped_answering_in_the_same_round_is_not_handed_the_vip()
    {
        // Both KDCs hang together, but the peer's last answer landed one round later than the local one's: when the
        // local KDC is confirmed down, the peer has failed once and is still Up by hysteresis, unconfirmed.
        var harness = new MonitorHarness(fall: 2);
        harness.Prober.Add("local", Healthy, Timeout, Timeout, Timeout, Timeout);
        harness.Prober.Add("peer", Healthy, Healthy, Timeout, Timeout, Timeout);

        harness.Run();

        Assert.DoesNotContain(true, harness.Tracking.Writes);
        Assert.Equal("Critical", Assert.Single(harness.Sink.Of<AllKdcsDownEvent>()).Severity);
    }

    [Fact]
    public void A_node_that_handed_the_vip_over_keeps_it_there_when_the_peer_kdc_fails_too()
    {
        var harness = new MonitorHarness(fall: 2);
        harness.Prober.Add("local", Healthy, Refused, Refused, Refused, Refused);
        harness.Prober.Add("peer", Healthy, Healthy, Refused, Refused, Refused);

        harness.Run();

        Assert.Equal(new[] { false, true }, harness.Tracking.Writes);
        Assert.Single(harness.Sink.Of<AllKdcsDownEvent>());
    }

    [Fact]
    public void A_recovered_kdc_is_readmitted_once_after_rise_good_probes()
    {
        var harness = new MonitorHarness(rise: 3);
        harness.Prober.Add("local", Healthy, Refused, Healthy, Timeout, Healthy, Healthy, Healthy, Healthy, Healthy);
        harness.Prober.Add("peer", Enumerable.Repeat(Healthy, 9).ToArray());

        harness.Run();

        Assert.Equal(new[] { false, true, false }, harness.Tracking.Writes);
        Assert.Equal(2, harness.Sink.Of<FaultChangedEvent>().Count(e => !e.Fault));
    }

    [Fact]
    public void A_fault_left_by_a_previous_run_must_be_earned_back_with_rise_probes()
    {
        var harness = new MonitorHarness(rise: 3);
        harness.Tracking.Fault = true;
        harness.Prober.Add("local", Healthy, Healthy, Healthy);
        harness.Prober.Add("peer", Healthy, Healthy, Healthy);

        harness.Run();

        Assert.Equal(new[] { true, false }, harness.Tracking.Writes);
        Assert.Equal(3, harness.Status.Written.Last(s => s.RunState == MonitorRunState.Running).Rounds);
    }

    [Fact]
    public void Stopping_keeps_the_decided_fault_withdraws_the_heartbeat_and_says_why()
    {
        var harness = new MonitorHarness();
        harness.Prober.Add("local", Refused);
        harness.Prober.Add("peer", Healthy);

        harness.Run();

        Assert.True(harness.Tracking.Fault);
        Assert.True(harness.Tracking.HeartbeatStopped);
        Assert.Equal(1, harness.Tracking.Heartbeats);
        var stopped = Assert.IsType<MonitorStoppedEvent>(harness.Sink.Events.Last());
        Assert.True(stopped.FaultLeftSet);
        Assert.Equal("the script ended.", stopped.Reason);
        var final = harness.Status.Written.Last();
        Assert.Equal(MonitorRunState.Stopped, final.RunState);
        Assert.Equal("the script ended.", final.Reason);
        Assert.True(final.Fault);
    }

    [Fact]
    public void The_status_carries_every_kdcs_last_probe()
    {
        var harness = new MonitorHarness();
        harness.Prober.Add("local", Healthy, Timeout);
        harness.Prober.Add("peer", Healthy, Healthy);

        harness.Run();

        var status = harness.Status.Written.Last(s => s.RunState == MonitorRunState.Running);
        Assert.Equal("node1", status.Node);
        Assert.Equal(42, status.ProcessId);
        var local = status.Kdcs.Single(k => k.IsLocal);
        Assert.Equal("Up", local.State);
        Assert.Equal("Timeout", local.LastProbeStatus);
        Assert.Equal(1, local.ConsecutiveFailures);
        Assert.Equal("Up", status.Kdcs.Single(k => !k.IsLocal).State);
    }
}
