using System;
using System.Linq;
using KdcHa.Monitor;

using static KdcHa.Kerberos.Health.KdcHealthStatus;

namespace KdcHa.Tests.Monitor;

// In these scripts the probe after a confirming timeout of a busy KDC is the extra one with the longer deadline.
public class LocalKdcBusyTests
{
    [Fact]
    public void ALocalKdcThatUsedCpuWhileTimingOutGetsOneLongerProbeAndKeepsTheVipWhenItAnswers()
    {
        var harness = new MonitorHarness(localProcess: new FakeKdcProcess(running: true, busy: true));
        harness.Prober.Add("local", Healthy, Timeout, Timeout, Healthy);
        harness.Prober.Add("peer", Healthy, Healthy, Healthy);

        harness.Run();

        Assert.DoesNotContain(true, harness.Tracking.Writes);
        Assert.DoesNotContain(harness.Sink.Of<HealthChangedEvent>(), change => change.Health == KdcHealthState.Down);
        Assert.Contains(harness.Prober.Requests, request => request.Endpoint.Host == "local" && request.Timeout == TimeSpan.FromMilliseconds(500));
        Assert.Contains(harness.Status.Written, status => status.Kdcs.Single(kdc => kdc.IsLocal).LastMessage?.Contains("busy, not hung") == true);
    }

    [Fact]
    public void ALocalKdcWaitingForACpuWhoseCpuTimeStoodStillIsThrottledNotHungAndGetsTheLongerProbe()
    {
        var harness = new MonitorHarness(localProcess: new FakeKdcProcess(running: true, busy: false, waiting: true));
        harness.Prober.Add("local", Healthy, Timeout, Timeout, Healthy);
        harness.Prober.Add("peer", Healthy, Healthy, Healthy);

        harness.Run();

        Assert.DoesNotContain(true, harness.Tracking.Writes);
        Assert.Contains(harness.Prober.Requests, request => request.Endpoint.Host == "local" && request.Timeout == TimeSpan.FromMilliseconds(500));
        Assert.Contains(harness.Status.Written, status => status.Kdcs.Single(kdc => kdc.IsLocal).LastMessage?.Contains("used or waited for CPU") == true);
    }

    [Fact]
    public void ALocalKdcThatTimesOutWithoutUsingCpuIsHungAndFaultsAfterFallWithNoLongerProbe()
    {
        var harness = new MonitorHarness(localProcess: new FakeKdcProcess(running: true, busy: false));
        harness.Prober.Add("local", Healthy, Timeout, Timeout);
        harness.Prober.Add("peer", Healthy, Healthy, Healthy);

        harness.Run();

        Assert.Single(harness.Sink.Of<HealthChangedEvent>(), change => change.Health == KdcHealthState.Down);
        Assert.True(harness.Tracking.Writes.Last());
        Assert.DoesNotContain(harness.Prober.Requests, request => request.Timeout == TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public void ABusyLocalKdcThatDoesNotAnswerTheLongerProbeEitherFaults()
    {
        var harness = new MonitorHarness(localProcess: new FakeKdcProcess(running: true, busy: true));
        harness.Prober.Add("local", Healthy, Timeout, Timeout, Timeout);
        harness.Prober.Add("peer", Healthy, Healthy, Healthy);

        harness.Run();

        var down = Assert.Single(harness.Sink.Of<HealthChangedEvent>(), change => change.Health == KdcHealthState.Down);
        Assert.Contains("did not answer within 500 ms either", down.Cause);
        Assert.True(harness.Tracking.Writes.Last());
    }

    [Fact]
    public void NoBusyTimeoutCountsEveryTimeout()
    {
        var harness = new MonitorHarness(localProcess: new FakeKdcProcess(running: true, busy: true), busyTimeoutMilliseconds: 0);
        harness.Prober.Add("local", Healthy, Timeout, Timeout);
        harness.Prober.Add("peer", Healthy, Healthy, Healthy);

        harness.Run();

        Assert.Single(harness.Sink.Of<HealthChangedEvent>(), change => change.Health == KdcHealthState.Down);
    }
}
